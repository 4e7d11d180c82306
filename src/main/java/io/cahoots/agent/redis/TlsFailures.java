package io.cahoots.agent.redis;

import javax.net.ssl.SSLException;
import java.security.cert.CertificateException;

/**
 * One-line reasons for TLS failures, in the operator's terms (which setting to look at) instead of JSSE's chain of
 * exceptions ({@code PKIX path building failed: sun.security.provider.certpath...}). Readiness and the API show them.
 */
final class TlsFailures {

    private TlsFailures() {
    }

    /** The reason when {@code e} is a TLS failure, else null. */
    static String reason(Throwable e) {
        boolean tls = false;
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            tls |= t instanceof SSLException || t instanceof CertificateException;
            if (t.getMessage() != null) {
                messages.append(t.getMessage()).append(' ');
            }
        }
        String all = messages.toString();
        if (!tls) {
            return null;
        }
        if (all.contains("No subject alternative") || all.contains("No name matching")) {
            return "TLS: the server's certificate does not name the address dialled"
                    + " (connect by a name it holds, or AGENT_REDIS_TLS_VERIFY_HOSTNAME=false)";
        }
        if (all.contains("PKIX path") || all.contains("unable to find valid certification path")) {
            return "TLS: the server's certificate is not signed by a CA in AGENT_REDIS_TLS_CA";
        }
        if (all.contains("certificate_required") || all.contains("bad_certificate")) {
            return "TLS: the server refused the client certificate (set AGENT_REDIS_TLS_CERT and AGENT_REDIS_TLS_KEY"
                    + " to one its tls-ca-cert-file trusts)";
        }
        if (all.contains("Unsupported or unrecognized SSL message") || all.contains("plaintext connection")) {
            return "TLS: the server does not speak TLS on this port (unset AGENT_REDIS_TLS, or point at its tls-port)";
        }
        if (all.contains("expired") || all.contains("not yet valid")) {
            return "TLS: the server's certificate is expired or not yet valid";
        }
        return "TLS handshake failed (" + all.trim().lines().findFirst().orElse("no detail").replaceAll("[a-z]+(\\.[a-zA-Z$]+){2,}: ?", "") + ")";
    }
}
