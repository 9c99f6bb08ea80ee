package io.quotagate.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.MessageAggregator;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.quotagate.gateway.admission.RouteOnlyAdmission;
import io.quotagate.gateway.config.GatewayConfig;
import io.quotagate.gateway.metrics.GatewayMetrics;
import io.quotagate.gateway.route.RouteTable;
import io.quotagate.gateway.testkit.TestConfigs;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The client pipeline's table of contents, and that nothing in it aggregates bodies. */
class ProxyInitializerTest {

    @Test
    void pipelineIsInOrderAndNeverAggregates() {
        GatewayConfig config = TestConfigs.builder().build();
        RouteTable routes = RouteTable.of(config);
        ProxyInitializer initializer = new ProxyInitializer(config.server(), config.upstream(),
                new RouteOnlyAdmission(() -> routes), new GatewayMetrics(false), null, null,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));
        EmbeddedChannel channel = new EmbeddedChannel();
        initializer.initChannel(channel);
        List<String> names = channel.pipeline().names().stream().filter(n -> !n.startsWith("DefaultChannelPipeline")).toList();
        assertThat(names).containsExactly("http", "timeouts", "reader", "bodyLimit", "frontend");
        Map<String, ChannelHandler> handlers = channel.pipeline().toMap();
        assertThat(handlers.values()).noneMatch(h -> h instanceof MessageAggregator<?, ?, ?, ?>);
        assertThat(handlers.values().stream().map(h -> h.getClass().getSimpleName()).collect(Collectors.toList()))
                .doesNotContain("HttpObjectAggregator");
        assertFalse(channel.finishAndReleaseAll());
    }
}
