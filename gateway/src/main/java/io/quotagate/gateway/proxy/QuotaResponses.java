package io.quotagate.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.quotagate.gateway.quota.QuotaReply;
import java.nio.charset.StandardCharsets;

/** Turns a {@link QuotaReply} into the HTTP response: a report as 200 JSON, a refusal through {@link ErrorResponses}. */
final class QuotaResponses {

    private QuotaResponses() {
    }

    static FullHttpResponse of(ByteBufAllocator alloc, QuotaReply reply, boolean close) {
        if (reply instanceof QuotaReply.Refused refused) {
            return ErrorResponses.of(alloc, refused.rejected(), close);
        }
        String json = ((QuotaReply.Report) reply).json();
        ByteBuf body = alloc.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                // A balance is personal and changes with every call: no shared or stale copy anywhere.
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }
}
