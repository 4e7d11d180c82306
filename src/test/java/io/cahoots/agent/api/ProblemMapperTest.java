package io.cahoots.agent.api;

import io.cahoots.agent.cluster.HostPort;
import io.cahoots.agent.executor.BadRequestException;
import io.cahoots.agent.executor.UnknownJobException;
import io.cahoots.agent.executor.UnknownNodeException;
import io.cahoots.agent.planner.PlanningException;
import io.cahoots.agent.redis.RedisException;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The exception taxonomy as HTTP answers: status, problem type and the words the operator reads. */
class ProblemMapperTest {

    private static final HostPort NODE = HostPort.parse("10.0.0.1:7000");
    private final ProblemMapper mapper = new ProblemMapper();

    @Test
    void unreachableRedisIs503RedisUnavailable() {
        Problem p = problem(mapper.redis(new RedisException.Unavailable(NODE, "redis.clients.jedis.exceptions.JedisConnectionException: Connection refused", null)), 503);
        assertThat(p.type()).isEqualTo("/problems/redis-unavailable");
        assertThat(p.title()).isEqualTo("Redis unavailable");
        assertThat(p.detail()).isEqualTo("10.0.0.1:7000: Connection refused");
    }

    @Test
    void refusedCredentialsAreNamedAsSuch() {
        Problem p = problem(mapper.redis(new RedisException.AuthFailed(NODE, "WRONGPASS invalid username-password pair or user is disabled.", null)), 503);
        assertThat(p.type()).isEqualTo("/problems/redis-auth-refused");
        assertThat(p.title()).isEqualTo("Redis refused the agent's credentials");
        assertThat(p.detail()).startsWith("the agent's Redis credentials were refused").contains("AGENT_REDIS_PASSWORD")
                .endsWith("10.0.0.1:7000: WRONGPASS invalid username-password pair or user is disabled.");
    }

    @Test
    void aRedisErrorReplyIsStill503() {
        Problem p = problem(mapper.redis(new RedisException.CommandFailed(NODE, "ERR unknown command", null)), 503);
        assertThat(p.type()).isEqualTo("/problems/redis-unavailable");
    }

    @Test
    void aBadRequestIs400InvalidRequest() {
        Problem p = problem(mapper.badRequest(new BadRequestException("source is required")), 400);
        assertThat(p.type()).isEqualTo("/problems/invalid-request");
        assertThat(p.detail()).isEqualTo("source is required");
        assertThat(problem(mapper.planning(new PlanningException("no master to move slots to")), 400).type())
                .isEqualTo("/problems/invalid-request");
    }

    @Test
    void unknownJobsAndNodesAre404() {
        assertThat(problem(mapper.unknownJob(new UnknownJobException("7f3e")), 404).detail()).isEqualTo("no job 7f3e");
        assertThat(problem(mapper.unknownNode(new UnknownNodeException("abc")), 404).type()).isEqualTo("/problems/not-found");
    }

    /** An IllegalArgumentException is a bug, not the client's fault: 500 with a log reference, no Java names. */
    @Test
    void anIllegalArgumentIsNoLongerABadRequest() {
        Problem p = problem(mapper.unexpected(new IllegalArgumentException("need one owner per slot, got 3")), 500);
        assertThat(p.type()).isEqualTo("/problems/internal");
        assertThat(p.detail()).doesNotContain("owner").contains("ref ");
    }

    private static Problem problem(Response r, int status) {
        assertThat(r.getStatus()).isEqualTo(status);
        assertThat(r.getMediaType().toString()).isEqualTo(Problem.MEDIA_TYPE);
        return (Problem) r.getEntity();
    }
}
