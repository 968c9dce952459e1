package dev.backout.runbook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The five runbooks made from the seed documents load, are valid, and carry what the seeds say.
 */
class SeedRunbooksTests {

	private final RunbookParser parser = new RunbookParser();

	static Stream<Resource> seeds() throws IOException {
		return Arrays.stream(new PathMatchingResourcePatternResolver().getResources("classpath:runbooks/*.yaml"));
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void eachSeedRunbookIsValid(Resource seed) throws IOException {
		ParsedRunbook parsed = this.parser.parse(seed.getFilename(), seed.getContentAsString(StandardCharsets.UTF_8));
		assertThat(parsed.errors()).as("errors in %s", seed.getFilename()).isEmpty();
		assertThat(parsed.warnings()).as("warnings in %s", seed.getFilename()).isEmpty();
		assertThat(parsed.isValid()).isTrue();
		assertThat(parsed.hash()).hasSize(64);
		assertThat(parsed.runbook().authorization().describe()).contains("the commander cannot approve");
	}

	static List<String> seedNames() throws IOException {
		return seeds().map(Resource::getFilename).toList();
	}

}
