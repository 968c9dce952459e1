package dev.backout.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The embedded server started ahead of the context: the context uses that very server, a
 * failure to start still reads as the console's one-line reason, and a server the context never
 * claimed does not outlive it.
 */
class EmbeddedPostgresHeadStartTests {

	@TempDir
	Path temp;

	@Test
	void theContextUsesTheServerStartedAheadOfItAndStopsIt() {
		int port;
		try (ConfigurableApplicationContext context = run(WithEmbeddedServer.class, this.temp.resolve("pg"))) {
			// Had the context started a server of its own, the head start's lock on the directory would have refused it.
			EmbeddedPostgresHeadStart.Started started = context.getBean(EmbeddedPostgresHeadStart.Started.class);
			assertThat(started.claim(context.getBean(EmbeddedPostgresProperties.class))).as("claimed, and once only").isEmpty();
			EmbeddedPostgresServer server = context.getBean(EmbeddedPostgresServer.class);
			assertThat(server.dataDir()).isEqualTo(this.temp.resolve("pg").toAbsolutePath());
			port = server.port();
			assertThat(listening(port)).isTrue();
		}
		assertThat(listening(port)).as("stopped with the context").isFalse();
	}

	@Test
	void aDirectoryInUseStillFailsWithItsOwnReason() throws Exception {
		Path dataDir = this.temp.resolve("held");
		try (EmbeddedPostgresServer holder = EmbeddedPostgresServer.start(dataDir, 0, false)) {
			assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> run(WithEmbeddedServer.class, dataDir))
				.havingRootCause()
				.isInstanceOf(EmbeddedDatabaseException.class)
				.withMessageContaining("is in use by another running Backout console");
		}
	}

	@Test
	void aServerNobodyClaimedIsStoppedWhenTheContextFails() throws Exception {
		Path dataDir = this.temp.resolve("unclaimed");
		assertThatExceptionOfType(BeanCreationException.class)
			.isThrownBy(() -> run(FailsWithoutTheServer.class, dataDir))
			.withMessageContaining("fails before the database is needed");
		// The directory is free again: had the server outlived the context, this start would be refused.
		try (EmbeddedPostgresServer next = EmbeddedPostgresServer.start(dataDir, 0, false)) {
			assertThat(listening(next.port())).isTrue();
		}
	}

	private static ConfigurableApplicationContext run(Class<?> configuration, Path dataDir) {
		return new SpringApplicationBuilder(configuration).web(WebApplicationType.NONE)
			.initializers(new EmbeddedPostgresHeadStart())
			.run("--backout.embedded.data-dir=" + dataDir, "--spring.main.banner-mode=off");
	}

	private static boolean listening(int port) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(EmbeddedPostgresAutoConfiguration.class)
	static class WithEmbeddedServer {

	}

	@Configuration(proxyBeanMethods = false)
	static class FailsWithoutTheServer {

		@Bean
		String brokenBean() {
			throw new IllegalStateException("fails before the database is needed");
		}

	}

}
