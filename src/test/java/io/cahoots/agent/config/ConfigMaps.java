package io.cahoots.agent.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.util.HashMap;
import java.util.Map;

/** A config mapping built from a map through SmallRye, never from this process' environment. */
public final class ConfigMaps {

    private ConfigMaps() {
    }

    public static <T> T mapping(Class<T> type, Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 500))
                .withMapping(type)
                .build()
                .getConfigMapping(type);
    }
}
