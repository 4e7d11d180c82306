package io.cahoots.agent.scaling;

import io.cahoots.agent.scaling.decision.Sample;

/** Where the trigger readings come from ({@link PrometheusReader}; a fake in tests). Never throws: failures are missing readings. */
public interface ReadingSource {

    Sample read();
}
