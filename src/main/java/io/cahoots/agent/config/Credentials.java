package io.cahoots.agent.config;

import java.util.Optional;

/** An optional ACL user and password. {@link #toString()} never shows the password. */
public record Credentials(Optional<String> username, Optional<String> password) {

    public static final Credentials NONE = new Credentials(Optional.empty(), Optional.empty());

    @Override
    public String toString() {
        return "Credentials[user=" + username.orElse("-") + ", password=" + (password.isPresent() ? "***" : "-") + "]";
    }
}
