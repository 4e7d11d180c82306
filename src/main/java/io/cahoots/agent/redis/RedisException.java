package io.cahoots.agent.redis;

import io.cahoots.agent.cluster.HostPort;

/**
 * The agent's own small taxonomy of Redis failures, translated at the adapter edge so that nothing above
 * {@code redis/} ever catches a client-library type. {@link #retriable()} tells a retry loop whether
 * trying again can help.
 */
public abstract sealed class RedisException extends RuntimeException
        permits RedisException.Unavailable, RedisException.AuthFailed, RedisException.CommandFailed {

    private final HostPort node;

    protected RedisException(HostPort node, String message, Throwable cause) {
        super(node + ": " + message, cause);
        this.node = node;
    }

    public HostPort node() {
        return node;
    }

    public abstract boolean retriable();

    /** Refused, reset, timed out: the node may answer later. */
    public static final class Unavailable extends RedisException {
        public Unavailable(HostPort node, String message, Throwable cause) {
            super(node, message, cause);
        }

        @Override
        public boolean retriable() {
            return true;
        }
    }

    /** NOAUTH / WRONGPASS / NOPERM: the settings are wrong, retrying will not help. */
    public static final class AuthFailed extends RedisException {
        public AuthFailed(HostPort node, String message, Throwable cause) {
            super(node, message, cause);
        }

        @Override
        public boolean retriable() {
            return false;
        }
    }

    /** Redis answered with an error (e.g. {@code ERR}, {@code BUSYKEY}). */
    public static final class CommandFailed extends RedisException {
        public CommandFailed(HostPort node, String message, Throwable cause) {
            super(node, message, cause);
        }

        @Override
        public boolean retriable() {
            return false;
        }
    }
}
