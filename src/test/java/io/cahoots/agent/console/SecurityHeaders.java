package io.cahoots.agent.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The Content-Security-Policy the agent sends, read from its application.properties (one source of truth). */
final class SecurityHeaders {

    static final String CSP = read("quarkus.http.filter.csp.header.\"Content-Security-Policy\"");

    private SecurityHeaders() {
    }

    private static String read(String key) {
        try (InputStream in = SecurityHeaders.class.getClassLoader().getResourceAsStream("application.properties")) {
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty(key);
            if (v == null) {
                throw new AssertionError(key + " is missing from application.properties");
            }
            return v;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
