package dev.runwire.api.stream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Where a stream's frames can be written as ready-made HTTP/1.1 chunks: the connection's pipeline just above its HTTP
 * encoder. A frame written there skips the per-write work of the response and the encoder (a promise, an HTTP content
 * object, a chunk header, a copy of the bytes into memory the socket can send) and is a view of bytes that every reader
 * of the event shares; what sits below the encoder (TLS, traffic shaping) still applies. Only where nothing between the
 * response and the encoder would change the body: HTTP/1.1 with chunks, no compression, no chunked-file writer.
 * Anything else (HTTP/1.0, HTTP/2, a connection Vert.x does not expose) writes through the response. ADR 0012.
 */
final class DirectChunks {

    private DirectChunks() {
    }

    /** The encoder's context of the request's connection, or null where frames must go through the response. */
    static ChannelHandlerContext of(HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_1_1 || !(request.connection() instanceof ConnectionBase connection)) {
            return null;
        }
        ChannelPipeline pipeline = connection.channelHandlerContext().pipeline();
        if (pipeline.get(HttpContentCompressor.class) != null || pipeline.get(ChunkedWriteHandler.class) != null) {
            return null;
        }
        ChannelHandlerContext encoder = pipeline.context(HttpResponseEncoder.class);
        // the stream's writes and flushes happen on its own loop: so must the connection's, or their order is lost
        return encoder != null && encoder.executor().inEventLoop() ? encoder : null;
    }
}
