package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;

/** Thrown inside an import when the source's primary moved or its change stream broke: copy everything again. */
final class SourceSwitched extends RuntimeException {

    final HostPort primary;

    SourceSwitched(HostPort primary, String why) {
        super(why, null, false, false);
        this.primary = primary;
    }
}
