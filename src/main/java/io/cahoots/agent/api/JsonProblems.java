package io.cahoots.agent.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a Jackson failure into a sentence for the client. Jackson's own messages name Java types
 * ({@code java.lang.Double}, {@code java.util.LinkedHashMap<...>}, the request record's class): they tell an
 * attacker how the agent is built and tell a user nothing useful. So the detail is rebuilt from the parts
 * that matter to a caller: the field path, the JSON kind that was expected, and the position of a syntax error.
 */
final class JsonProblems {

    private JsonProblems() {
    }

    static String detail(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", "));
            return "unknown field '" + printable(u.getPropertyName()) + "'" + (known.isEmpty() ? "" : "; the fields are " + known);
        }
        if (e instanceof StreamConstraintsException) {
            return "the JSON is nested or sized beyond what the agent reads";
        }
        if (e instanceof MismatchedInputException m) {
            String path = path(m);
            String expected = expected(m.getTargetType());
            return (path.isEmpty() ? "the body" : "field '" + path + "'") + ": expected " + expected;
        }
        if (e instanceof DatabindException d) {
            String path = path(d);
            return (path.isEmpty() ? "the body" : "field '" + path + "'") + " has an invalid value";
        }
        JsonLocation at = e.getLocation();
        return "not valid JSON" + (at == null || at.getLineNr() < 0 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
    }

    private static String path(JacksonException e) {
        if (!(e instanceof JsonMappingException m)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.isEmpty() ? "" : ".").append(printable(r.getFieldName()));
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    /** The JSON kind a Java target type reads from, in the words of the API docs. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "a different kind of value";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != char.class)) {
            return "a number";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        return "an object";
    }

    /** Field names come from the request: keep them short and free of control characters. */
    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 60 ? clean.substring(0, 60) + "..." : clean;
    }
}
