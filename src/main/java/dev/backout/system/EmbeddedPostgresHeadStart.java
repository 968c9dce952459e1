package dev.backout.system;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the embedded PostgreSQL on a thread of its own as soon as the console's environment is
 * known, so that the server (initdb too, on a first start) comes up while the context is still
 * being configured instead of after it. {@link EmbeddedPostgresAutoConfiguration} claims the
 * server; one never claimed (the context failed, or something else provided the database) is
 * stopped with the context. Added by {@code BackoutApplication.main} only: test contexts start
 * their server when the auto-configuration asks for it, and never one they would not use.
 */
public final class EmbeddedPostgresHeadStart implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	static final String BEAN_NAME = "embeddedPostgresHeadStart";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		EmbeddedPostgresProperties properties = Binder.get(context.getEnvironment())
			.bindOrCreate("backout.embedded", Bindable.of(EmbeddedPostgresProperties.class));
		if (!properties.enabled()) {
			return;
		}
		Started started = new Started(properties, CompletableFuture.supplyAsync(
				() -> EmbeddedPostgresAutoConfiguration.startServer(properties), (start) -> {
					Thread thread = new Thread(start, "embedded-postgres-start");
					thread.setDaemon(true);
					thread.start();
				}));
		DefaultSingletonBeanRegistry beans = (DefaultSingletonBeanRegistry) context.getBeanFactory();
		beans.registerSingleton(BEAN_NAME, started);
		beans.registerDisposableBean(BEAN_NAME, started);
	}

	/** A server on its way up, for the configuration it was started with. */
	public static final class Started implements DisposableBean {

		private final EmbeddedPostgresProperties properties;

		private final CompletableFuture<EmbeddedPostgresServer> server;

		private final AtomicBoolean claimed = new AtomicBoolean();

		Started(EmbeddedPostgresProperties properties, CompletableFuture<EmbeddedPostgresServer> server) {
			this.properties = properties;
			this.server = server;
		}

		/**
		 * The server, once up, if it was started for {@code wanted}; its failure to start is
		 * thrown as it would have been had the caller started it.
		 */
		Optional<EmbeddedPostgresServer> claim(EmbeddedPostgresProperties wanted) {
			if (!this.properties.equals(wanted) || !this.claimed.compareAndSet(false, true)) {
				return Optional.empty();
			}
			try {
				return Optional.of(this.server.join());
			}
			catch (CompletionException ex) {
				throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
			}
		}

		/** Stops a server nobody claimed; a claimed one is its bean's to stop. */
		@Override
		public void destroy() throws Exception {
			if (this.claimed.compareAndSet(false, true)) {
				EmbeddedPostgresServer unclaimed;
				try {
					unclaimed = this.server.join();
				}
				catch (CompletionException ex) {
					return; // it never started
				}
				unclaimed.close();
			}
		}

	}

}
