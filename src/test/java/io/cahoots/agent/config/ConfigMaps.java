package io.cahoots.agent.config;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.util.HashMap;
import java.util.Map;

/** A config mapping built from a map through SmallRye, never from this process' environment. */
public final class ConfigMaps {

    private ConfigMaps() {
    }

    /** A value that does not convert throws the {@link InvalidSettingException} the agent prints at start-up. */
    public static <T> T mapping(Class<T> type, Map<String, String> properties) {
        try {
            return new SmallRyeConfigBuilder()
                    .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 500))
                    .withMapping(type)
                    .build()
                    .getConfigMapping(type);
        } catch (ConfigValidationException e) {
            throw SettingErrors.of(e).orElseThrow(() -> e);
        }
    }
}
