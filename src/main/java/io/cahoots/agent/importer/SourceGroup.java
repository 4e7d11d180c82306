package io.cahoots.agent.importer;

import io.cahoots.agent.cluster.HostPort;

import java.util.List;

/** Where the import reads from: the current primary (moved by confirmed Sentinel switches) and its replicas. */
interface SourceGroup {

    /** The Sentinel master name, or the address the import was given. */
    String name();

    /** The primary as the Sentinel watcher believes it now (only moved by a confirmed switch). */
    HostPort primary();

    /** The primary and its known replicas: every node whose keyspace events are followed. */
    List<HostPort> nodes();
}
