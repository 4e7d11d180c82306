package io.cahoots.agent.importer;

import io.cahoots.agent.config.ImportConfig;
import io.cahoots.agent.config.ImportSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the validated import settings (checked by the start-up gate); the Redis adapter comes from {@code boot/AdapterBeans}. */
public class ImportBeans {

    @Produces
    @Singleton
    ImportSettings importSettings(ImportConfig config) {
        return ImportSettings.from(config);
    }
}
