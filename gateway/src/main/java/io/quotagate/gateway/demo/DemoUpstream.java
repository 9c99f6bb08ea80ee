package io.quotagate.gateway.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.quotagate.gateway.proxy.Transport;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the portrait API (SPEC §4 routes) so a newcomer can watch a request pass through the gateway:
 * {@code java -jar quotagate-gateway.jar demo-upstream --port 9000}. It answers with small JSON and echoes the
 * {@code X-Tenant-Id} the gateway set. Not part of the proxy. It listens on loopback unless {@code --bind} says
 * otherwise (the compose stack runs it in its own container, reached over the container network).
 */
public final class DemoUpstream {

    private DemoUpstream() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 9000;
        String bind = "127.0.0.1";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--bind") && i + 1 < args.length) {
                bind = args[++i];
            } else {
                System.err.println("usage: demo-upstream [--port N] [--bind ADDRESS]");
                System.exit(2);
            }
        }
        Transport transport = Transport.best();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
        Channel server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Portrait());
                    }
                })
                .bind(bind, port).sync().channel();
        System.out.println("demo upstream listening on http://" + bind + ":" + port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> group.shutdownGracefully().syncUninterruptibly()));
        server.closeFuture().sync();
    }

    /** Answers each request once its body was read (and ignored). */
    private static final class Portrait extends SimpleChannelInboundHandler<HttpObject> {
        private static final AtomicLong IDS = new AtomicLong();
        private HttpRequest request;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest r) {
                request = r;
            }
            if (msg instanceof LastHttpContent && request != null) {
                FullHttpResponse response = answer(request);
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                HttpUtil.setKeepAlive(response, keepAlive);
                request = null;
                var future = ctx.writeAndFlush(response);
                if (!keepAlive) {
                    future.addListener(ChannelFutureListener.CLOSE);
                }
            }
        }

        private static FullHttpResponse answer(HttpRequest r) {
            String path = r.uri().split("\\?", 2)[0];
            String tenant = r.headers().get("X-Tenant-Id", "");
            HttpMethod m = r.method();
            if (m.equals(HttpMethod.POST) && path.equals("/v1/portrait/generate")) {
                return json(HttpResponseStatus.OK, "{\"task_id\":\"t-" + IDS.incrementAndGet() + "\",\"status\":\"queued\",\"tenant\":\"" + tenant + "\"}");
            }
            if (m.equals(HttpMethod.GET) && path.startsWith("/v1/portrait/tasks/")) {
                String id = path.substring("/v1/portrait/tasks/".length());
                return json(HttpResponseStatus.OK, "{\"task_id\":\"" + id + "\",\"status\":\"done\",\"image_url\":\"https://example.invalid/" + id + ".png\"}");
            }
            if (m.equals(HttpMethod.POST) && path.equals("/v1/templates")) {
                return json(HttpResponseStatus.CREATED, "{\"template_id\":\"tpl-" + IDS.incrementAndGet() + "\"}");
            }
            if (m.equals(HttpMethod.DELETE) && path.startsWith("/v1/templates/")) {
                return json(HttpResponseStatus.OK, "{\"deleted\":true}");
            }
            return json(HttpResponseStatus.NOT_FOUND, "{\"error\":\"not found\"}");
        }

        private static FullHttpResponse json(HttpResponseStatus status, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return response;
        }
    }
}
