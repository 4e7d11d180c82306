package io.cahoots.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The RFC 9457 body of every error answer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, Object report) {

    public static final String MEDIA_TYPE = "application/problem+json";
}
