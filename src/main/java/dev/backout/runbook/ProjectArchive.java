package dev.backout.runbook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A migration project uploaded as a zip: its text files by path. Bounded on every side (entries,
 * each file, the whole), so an archive that expands without end is refused, not read.
 */
final class ProjectArchive {

	static final int MOST_FILES = 2_000;

	static final int LARGEST_FILE = 1_000_000;

	static final int LARGEST_TOTAL = 20_000_000;

	private ProjectArchive() {
	}

	static Map<String, String> read(InputStream zip) throws IOException {
		Map<String, String> files = new LinkedHashMap<>();
		long total = 0;
		try (ZipInputStream in = new ZipInputStream(zip, StandardCharsets.UTF_8)) {
			for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
				String name = entry.getName().replace('\\', '/');
				if (entry.isDirectory() || name.contains("..") || name.startsWith("/")) {
					continue;
				}
				if (files.size() >= MOST_FILES) {
					throw new IllegalArgumentException("The archive holds more than " + MOST_FILES + " files.");
				}
				ByteArrayOutputStream content = new ByteArrayOutputStream();
				byte[] buffer = new byte[8192];
				for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
					content.write(buffer, 0, read);
					total += read;
					if (content.size() > LARGEST_FILE || total > LARGEST_TOTAL) {
						throw new IllegalArgumentException("The archive expands too far: " + name + " or the whole is larger than "
								+ "1 MB per file, 20 MB in all.");
					}
				}
				files.put(name, content.toString(StandardCharsets.UTF_8));
			}
		}
		return files;
	}

}
