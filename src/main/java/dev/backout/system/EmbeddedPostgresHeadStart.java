package dev.backout.system;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Starts the embedded PostgreSQL on a thread of its own as soon as the console's environment is
 * known, so that the server (initdb too, on a first start) comes up while the context is still
 * being configured instead of after it. {@link EmbeddedPostgresAutoConfiguration} claims the
 * server during the refresh; one not claimed by then (something else provided the database, as
 * Testcontainers does for {@code TestBackoutApplication}) is stopped once the context is
 * refreshed, and one left by a failed start is stopped with it. Added by
 * {@code BackoutApplication.main} only: test contexts start their server when the
 * auto-configuration asks for it.
 */
public final class EmbeddedPostgresHeadStart implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	static final String BEAN_NAME = "embeddedPostgresHeadStart";

	private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresHeadStart.class);

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		EmbeddedPostgresProperties properties = Binder.get(context.getEnvironment())
			.bindOrCreate("backout.embedded", Bindable.of(EmbeddedPostgresProperties.class));
		if (!properties.enabled()) {
			return;
		}
		Started started = new Started(context, properties, CompletableFuture.supplyAsync(
				() -> EmbeddedPostgresAutoConfiguration.startServer(properties), (start) -> {
					Thread thread = new Thread(start, "embedded-postgres-start");
					thread.setDaemon(true);
					thread.start();
				}));
		DefaultSingletonBeanRegistry beans = (DefaultSingletonBeanRegistry) context.getBeanFactory();
		beans.registerSingleton(BEAN_NAME, started);
		beans.registerDisposableBean(BEAN_NAME, started);
		context.addApplicationListener(started);
	}

	/** A server on its way up, for the configuration it was started with. */
	static final class Started implements DisposableBean, ApplicationListener<ApplicationEvent> {

		private final ApplicationContext context;

		private final EmbeddedPostgresProperties properties;

		private final CompletableFuture<EmbeddedPostgresServer> server;

		private final AtomicBoolean claimed = new AtomicBoolean();

		Started(ApplicationContext context, EmbeddedPostgresProperties properties,
				CompletableFuture<EmbeddedPostgresServer> server) {
			this.context = context;
			this.properties = properties;
			this.server = server;
		}

		/**
		 * The server, once up, if it was started for {@code wanted}; its failure to start is
		 * thrown as it would have been had the caller started it. A server started for another
		 * configuration is stopped first, so that it holds no directory the caller needs.
		 */
		Optional<EmbeddedPostgresServer> claim(EmbeddedPostgresProperties wanted) {
			if (!this.properties.equals(wanted)) {
				release();
				return Optional.empty();
			}
			if (!this.claimed.compareAndSet(false, true)) {
				return Optional.empty();
			}
			try {
				return Optional.of(this.server.join());
			}
			catch (CompletionException ex) {
				throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
			}
		}

		/**
		 * Refreshed: whoever needed the server has claimed it by now. Failed (before the refresh,
		 * too, when no bean is destroyed): nobody will.
		 */
		@Override
		public void onApplicationEvent(ApplicationEvent event) {
			if ((event instanceof ContextRefreshedEvent refreshed && refreshed.getApplicationContext() == this.context)
					|| (event instanceof ApplicationFailedEvent failed && failed.getApplicationContext() == this.context)) {
				release();
			}
		}

		@Override
		public void destroy() {
			release();
		}

		/** Stops the server unless it was claimed: a claimed one is its bean's to stop. */
		private void release() {
			if (!this.claimed.compareAndSet(false, true)) {
				return;
			}
			EmbeddedPostgresServer unclaimed;
			try {
				unclaimed = this.server.join();
			}
			catch (CompletionException ex) {
				return; // it never started
			}
			try {
				unclaimed.close();
			}
			catch (IOException | RuntimeException ex) {
				log.warn("Could not stop the unused embedded PostgreSQL in {}: {}", unclaimed.dataDir(), ex.getMessage());
			}
		}

	}

}
