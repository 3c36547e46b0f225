package io.lionfuncs.autoconfigure.event;

import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestSnapshot;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.context.event.SimpleApplicationEventMulticaster;
import org.springframework.core.ResolvableType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EventListenerPresence}.
 */
class EventListenerPresenceTests {

	@Test
	void noListenerOfTheTypeIsFoundOnceChecked() {
		withContext(OtherListenerConfiguration.class, (context) -> {
			EventListenerPresence presence = presence(context);
			assertThat(presence.mayHaveListener()).as("before the check").isTrue();

			presence.check();

			assertThat(presence.mayHaveListener()).isFalse();
		});
	}

	@Test
	void listenerBeanOfTheTypeIsFound() {
		assertFound(TypedListenerConfiguration.class);
	}

	@Test
	void listenerBeanOfASuperTypeIsFound() {
		assertFound(ApplicationEventListenerConfiguration.class);
	}

	@Test
	void lambdaListenerBeanIsFound() {
		assertFound(LambdaListenerConfiguration.class);
	}

	@Test
	void eventListenerMethodIsFound() {
		assertFound(EventListenerMethodConfiguration.class);
	}

	@Test
	void lazyListenerBeanNotYetCreatedCountsAsAListener() {
		assertFound(LazyListenerConfiguration.class);
	}

	@Test
	void listenerAddedAfterTheCheckIsFoundAtTheNextQuestion() {
		withContext(OtherListenerConfiguration.class, (context) -> {
			EventListenerPresence presence = presence(context);
			presence.check();
			assertThat(presence.mayHaveListener()).isFalse();

			context.addApplicationListener((ApplicationListener<RequestStatusChangedEvent>) (event) -> {
			});

			assertThat(presence.mayHaveListener()).isTrue();
		});
	}

	@Test
	void contextWithAParentCountsAsHavingAListener() {
		try (AnnotationConfigApplicationContext parent = new AnnotationConfigApplicationContext()) {
			parent.refresh();
			AnnotationConfigApplicationContext child = new AnnotationConfigApplicationContext();
			child.setParent(parent);
			child.register(OtherListenerConfiguration.class);
			child.refresh();
			try (child) {
				EventListenerPresence presence = presence(child);
				presence.check();
				assertThat(presence.mayHaveListener()).isTrue();
			}
		}
	}

	@Test
	void customMulticasterCountsAsHavingAListener() {
		assertFound(CustomMulticasterConfiguration.class);
	}

	@Test
	void publisherSkipsEventsOnlyWhileNoListenerCanReceiveThem() {
		withContext(OtherListenerConfiguration.class, (context) -> {
			ApplicationEventPublishingListener publisher = new ApplicationEventPublishingListener(context,
					EnumSet.allOf(RequestStatus.class));
			publisher.onApplicationEvent(new ContextRefreshedEvent(context));
			List<RequestStatusChangedEvent> received = new CopyOnWriteArrayList<>();
			NetworkRequestEvent request = NetworkRequestEvent
				.standalone(TaskRequest.ofStage(CompletableFuture::new).build());
			publisher.onStatusChange(request, RequestStatus.PENDING, RequestStatus.QUEUED);

			context.addApplicationListener((ApplicationListener<RequestStatusChangedEvent>) received::add);
			publisher.onStatusChange(request, RequestStatus.PENDING, RequestStatus.QUEUED);

			assertThat(received).hasSize(1);
			RequestSnapshot snapshot = received.get(0).getRequest();
			assertThat(snapshot.requestId()).isEqualTo(request.getRequestId());
		});
	}

	private static void assertFound(Class<?> configuration) {
		withContext(configuration, (context) -> {
			EventListenerPresence presence = presence(context);
			presence.check();
			assertThat(presence.mayHaveListener()).isTrue();
		});
	}

	private static EventListenerPresence presence(AnnotationConfigApplicationContext context) {
		return new EventListenerPresence(context, ResolvableType.forClass(RequestStatusChangedEvent.class),
				String.class);
	}

	private static void withContext(Class<?> configuration, Consumer<AnnotationConfigApplicationContext> test) {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(configuration)) {
			test.accept(context);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class OtherListenerConfiguration {

		@Bean
		ApplicationListener<ContextClosedEvent> closedListener() {
			return new ClosedListener();
		}

	}

	static class ClosedListener implements ApplicationListener<ContextClosedEvent> {

		@Override
		public void onApplicationEvent(ContextClosedEvent event) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TypedListenerConfiguration {

		@Bean
		StatusListener statusListener() {
			return new StatusListener();
		}

	}

	static class StatusListener implements ApplicationListener<RequestStatusChangedEvent> {

		@Override
		public void onApplicationEvent(RequestStatusChangedEvent event) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ApplicationEventListenerConfiguration {

		@Bean
		AnyEventListener anyEventListener() {
			return new AnyEventListener();
		}

	}

	static class AnyEventListener implements ApplicationListener<ApplicationEvent> {

		@Override
		public void onApplicationEvent(ApplicationEvent event) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LambdaListenerConfiguration {

		@Bean
		ApplicationListener<RequestStatusChangedEvent> lambdaListener() {
			return (event) -> {
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class EventListenerMethodConfiguration {

		@EventListener
		void onStatusChange(RequestStatusChangedEvent event) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LazyListenerConfiguration {

		@Bean
		@Lazy
		StatusListener lazyStatusListener() {
			return new StatusListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomMulticasterConfiguration {

		@Bean
		SimpleApplicationEventMulticaster applicationEventMulticaster() {
			return new SimpleApplicationEventMulticaster() {
			};
		}

	}

}
