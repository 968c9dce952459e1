package dev.backout;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The seed rollback documents (copied from ../shared/seeds) and the scripts their teams keep beside
 * them, which the documents run by name ({@code psql -f}) and do not contain: written for the tests
 * from what each document says its scripts do.
 */
public final class SeedDocuments {

	private SeedDocuments() {
	}

	public static String document(String seed) {
		return read("/seeds/" + seed + ".md");
	}

	/** The schema the seed's migration left, as the demo target builds it (e.g. {@code 001-memory-schema-rls}). */
	public static String demoSchema(String seed) {
		return read("/demo/" + seed + ".sql");
	}

	/** The runbook the console ships for the seed. */
	public static String bundledRunbook(String seed) {
		return read("/runbooks/" + seed + ".yaml");
	}

	private static String read(String path) {
		try (InputStream in = SeedDocuments.class.getResourceAsStream(path)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** @return the scripts by their path beside the document, e.g. {@code database/migrations/rollback/012_rollback_oauth.sql} */
	public static Map<String, String> scripts(String seed) {
		URL folder = SeedDocuments.class.getResource("/seeds/" + seed.substring(0, 3) + "-scripts");
		Map<String, String> scripts = new TreeMap<>();
		if (folder == null) {
			return scripts;
		}
		try (Stream<Path> files = Files.walk(Path.of(folder.toURI()))) {
			Path root = Path.of(folder.toURI());
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				scripts.put(root.relativize(file).toString().replace('\\', '/'), Files.readString(file));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
		return scripts;
	}

}
