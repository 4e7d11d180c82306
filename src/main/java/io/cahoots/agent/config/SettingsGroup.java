package io.cahoots.agent.config;

/**
 * Marks a validated settings record produced as a CDI bean (one per feature: {@link Settings} for the core,
 * others for push, scaling, ...). The start-up gate builds every group before anything else runs, so a bad
 * value in any of them stops the agent with its one-line message.
 */
public interface SettingsGroup {
}
