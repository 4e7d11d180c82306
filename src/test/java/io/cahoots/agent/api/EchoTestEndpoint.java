package io.cahoots.agent.api;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/** A mutating endpoint that exists only in tests, to prove the token filter before real ones exist. */
@Path("/api/v1/test-echo")
public class EchoTestEndpoint {

    @POST
    public String echo(String body) {
        return body;
    }
}
