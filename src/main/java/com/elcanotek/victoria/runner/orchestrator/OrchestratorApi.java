package com.elcanotek.victoria.runner.orchestrator;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/**
 * The orchestrator's node API (docs/PROTOCOL.md). Instances are built by
 * {@link OrchestratorClients} with the URL, timeouts and trust settings of the command line; the
 * node key is added by {@link ApiKeyFilter}, errors become {@link OrchestratorException}. The JSON calls answer
 * a {@link Uni}, whose cancellation resets the request: the read timeout is only the longest silence, and a
 * whole answer needs a deadline of its own (see {@link Orchestrator}).
 */
@RegisterRestClient(configKey = "orchestrator")
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface OrchestratorApi {

    String REGISTRATION_TOKEN_HEADER = "X-Registration-Token";
    String API_KEY_HEADER = "X-API-Key";
    String CHECKSUM_HEADER = "X-Checksum-SHA256";
    /** {@code bytes=N-}: the rest of a file from byte N; null sends no such header. */
    String RANGE_HEADER = "Range";

    @POST
    @Path("register")
    Uni<NodeRegistration> register(@HeaderParam(REGISTRATION_TOKEN_HEADER) String registrationToken, RegisterRequest request);

    @POST
    @Path("nodes/heartbeat")
    Uni<Void> heartbeat(HeartbeatRequest request);

    /**
     * Claims the next task: the answer is ours the moment the server sends it. {@code null}: none. Read as bytes
     * by AssignmentReader, so that a field of the wrong type can be named and the id of a task in an answer that
     * is not JSON at all can still be found; close the response.
     */
    @GET
    @Path("tasks/pending")
    Uni<Response> pendingTask();

    /**
     * The body is streamed: read it through {@code readEntity(InputStream.class)} and close the response.
     * {@code filename} is one path segment, percent-encoded by the caller: the client would leave a {@code /} as it is.
     */
    @GET
    @Path("files/{filename}")
    @Produces(MediaType.WILDCARD)
    Response file(@Encoded @PathParam("filename") String filename, @HeaderParam(RANGE_HEADER) String range);

    @POST
    @Path("status")
    Uni<Void> status(StatusUpdate update);

    @POST
    @Path("logs")
    Uni<Void> logs(LogSubmission submission);
}
