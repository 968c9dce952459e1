package dev.backout.runbook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import dev.backout.IntegrationTest;
import dev.backout.audit.AuditTrail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.TestingAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A catalog over a folder of its own, on the console database: reloads, versions and diffs.
 */
@IntegrationTest
class RunbookCatalogIntegrationTests {

	@TempDir
	Path folder;

	@Autowired
	RunbookVersions versions;

	@Autowired
	AuditTrail trail;

	@Autowired
	JdbcClient jdbc;

	RunbookCatalog catalog;

	String id;

	String valid;

	@BeforeEach
	void catalogOverATemporaryFolder() {
		this.catalog = new RunbookCatalog(new RunbookProperties(List.of("file:" + this.folder + "/")),
				new PathMatchingResourcePatternResolver(), this.versions, this.trail, Clock.systemUTC());
		this.id = "sample-" + System.nanoTime();
		this.valid = RunbookParserTests.VALID.replace("id: sample", "id: " + this.id);
	}

	@Test
	void aFileThatBreaksKeepsItsLastGoodVersionActive() throws IOException {
		write("a.yaml", this.valid);
		this.catalog.reload(null);
		String goodHash = this.catalog.get(this.id).hash();

		write("a.yaml", this.valid.replace("risk: LOW", "risk: [LOW"));
		var result = this.catalog.reload(admin());

		LoadedRunbook active = this.catalog.get(this.id);
		assertThat(active.hash()).isEqualTo(goodHash);
		assertThat(active.stale()).isTrue();
		assertThat(result.errors()).singleElement().satisfies((p) -> {
			assertThat(p.file()).endsWith("/a.yaml");
			assertThat(p.line()).isPositive();
		});
		assertThat(this.catalog.problems()).containsAll(result.errors());
	}

	@Test
	void aFileThatIsValidYamlButBreaksARuleIsNotHalfLoadedEither() throws IOException {
		write("a.yaml", this.valid);
		this.catalog.reload(null);
		write("a.yaml", this.valid.replace("steps: [drop-index, index-gone]", "steps: [drop-index, missing]")
			.replace("title: Sample rollback", "title: Changed title"));
		this.catalog.reload(null);
		assertThat(this.catalog.get(this.id).runbook().title()).isEqualTo("Sample rollback");
		assertThat(this.catalog.get(this.id).stale()).isTrue();
	}

	@Test
	void aBrokenFileNeverSeenBeforeIsSimplyNotLoaded() throws IOException {
		write("broken.yaml", "id: [oops");
		write("good.yaml", this.valid);
		var result = this.catalog.reload(null);
		assertThat(result.loaded()).isEqualTo(1);
		assertThat(result.errors()).singleElement().satisfies((p) -> assertThat(p.file()).endsWith("/broken.yaml"));
	}

	@Test
	void eachNewVersionIsStoredOnceAndDiffable() throws IOException {
		write("a.yaml", this.valid);
		assertThat(this.catalog.reload(null).newVersions()).isEqualTo(1);
		assertThat(this.catalog.reload(null).newVersions()).isZero();
		String first = this.catalog.get(this.id).hash();

		write("a.yaml", "# reformatted, same content\n" + this.valid);
		assertThat(this.catalog.reload(null).newVersions()).isZero();

		write("a.yaml", this.valid.replace("risk: LOW", "risk: HIGH"));
		assertThat(this.catalog.reload(null).newVersions()).isEqualTo(1);
		String second = this.catalog.get(this.id).hash();

		assertThat(this.catalog.history(this.id)).extracting(RunbookVersion::hash).containsExactlyInAnyOrder(first, second);
		RunbookDiff diff = this.catalog.diff(this.id, first, second);
		assertThat(diff.lines()).filteredOn((l) -> l.kind() == RunbookDiff.Kind.REMOVED)
			.extracting(RunbookDiff.Line::text)
			.containsExactly("-risk: LOW");
		assertThat(diff.lines()).filteredOn((l) -> l.kind() == RunbookDiff.Kind.ADDED)
			.extracting(RunbookDiff.Line::text)
			.containsExactly("+risk: HIGH");
		assertThat(this.catalog.version(this.id, first)).hasValueSatisfying(
				(old) -> assertThat(old.risk()).isEqualTo(Runbook.Risk.LOW));
		assertThat(this.jdbc.sql("select count(*) from audit_event where action = 'RUNBOOK_VERSION_ADDED' and details->>'runbook' = ?")
			.param(this.id)
			.query(Long.class)
			.single()).isEqualTo(2);
	}

	@Test
	void aSecondFileWithTheSameIdIsRefused() throws IOException {
		write("a.yaml", this.valid);
		write("b.yaml", this.valid.replace("title: Sample rollback", "title: Impostor"));
		var result = this.catalog.reload(null);
		assertThat(this.catalog.get(this.id).runbook().title()).isEqualTo("Sample rollback");
		assertThat(result.errors()).singleElement()
			.satisfies((p) -> assertThat(p.message()).contains("is already defined in").endsWith("this file is ignored."));
	}

	@Test
	void reloadsAreAuditedWithTheirActor() throws IOException {
		write("a.yaml", this.valid);
		this.catalog.reload(admin());
		assertThat(this.jdbc.sql("select actor from audit_event where action = 'RUNBOOKS_RELOADED' order by seq desc limit 1")
			.query(String.class)
			.single()).isEqualTo("admin");
	}

	private void write(String name, String content) throws IOException {
		Files.writeString(this.folder.resolve(name), content);
	}

	private static TestingAuthenticationToken admin() {
		return new TestingAuthenticationToken("admin", null, "ROLE_ADMIN");
	}

}
