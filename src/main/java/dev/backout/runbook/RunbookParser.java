package dev.backout.runbook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.serialization.DefaultNodeReader;
import com.networknt.schema.serialization.NodeReader;
import com.networknt.schema.serialization.node.TokenStreamLocationAware;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import dev.backout.runbook.RunbookProblem.Severity;

/**
 * Reads one runbook file: YAML with line and column kept on every node, then the JSON Schema,
 * then the semantic rules of {@link RunbookLinter}. Every problem carries file, line and column.
 */
final class RunbookParser {

	static final String SCHEMA_RESOURCE = "/runbook/runbook.schema.json";

	private final NodeReader reader = DefaultNodeReader.builder().locationAware().build();

	private final Schema schema;

	private final JsonMapper mapper = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.build();

	private final RunbookLinter linter = new RunbookLinter();

	RunbookParser() {
		try (InputStream schemaJson = RunbookParser.class.getResourceAsStream(SCHEMA_RESOURCE)) {
			this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
				.getSchema(schemaJson, InputFormat.JSON);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The runbook schema is part of the console", ex);
		}
	}

	ParsedRunbook parse(String file, String source) {
		JsonNode tree;
		try {
			tree = this.reader.readTree(source, InputFormat.YAML);
		}
		catch (JacksonException ex) {
			TokenStreamLocation where = ex.getLocation();
			return failed(file, source, new RunbookProblem(Severity.ERROR, file, (where != null) ? where.getLineNr() : 0,
					(where != null) ? where.getColumnNr() : 0, "YAML syntax: " + ex.getOriginalMessage()));
		}
		if (tree == null || !tree.isObject()) {
			return failed(file, source, new RunbookProblem(Severity.ERROR, file, 1, 1,
					"A runbook is a YAML mapping (id: …, title: …); this file is not."));
		}
		List<RunbookProblem> problems = new ArrayList<>();
		for (Error error : this.schema.validate(tree)) {
			problems.add(at(Severity.ERROR, file, error.getInstanceNode(),
					error.getInstanceLocation() + ": " + error.getMessage()));
		}
		if (!problems.isEmpty()) {
			// Every problem in one pass: the rules run too when what the schema refused still reads as a runbook.
			try {
				Runbook partial = this.mapper.treeToValue(tree, Runbook.class);
				problems.addAll(this.linter.lint(partial, (message, pointer, severity) -> at(severity, file, tree.at(pointer), message)));
			}
			catch (RuntimeException unreadable) {
				// Too broken to read as a runbook: the schema's problems are all there is to say.
			}
			return new ParsedRunbook(file, source, null, null, problems);
		}
		Runbook runbook = this.mapper.treeToValue(tree, Runbook.class);
		problems.addAll(this.linter.lint(runbook, (message, pointer, severity) -> at(severity, file, tree.at(pointer), message)));
		return new ParsedRunbook(file, source, runbook, hash(tree), problems);
	}

	/** SHA-256 of the canonical JSON of the document: keys sorted, no white space, no comments. */
	String hash(JsonNode tree) {
		String canonical = this.mapper.writeValueAsString(this.mapper.treeToValue(tree, Object.class));
		return Hashing.sha256(canonical);
	}

	private static ParsedRunbook failed(String file, String source, RunbookProblem problem) {
		return new ParsedRunbook(file, source, null, null, List.of(problem));
	}

	static RunbookProblem at(Severity severity, String file, JsonNode node, String message) {
		if (node instanceof TokenStreamLocationAware located && located.tokenStreamLocation() != null) {
			TokenStreamLocation where = located.tokenStreamLocation();
			return new RunbookProblem(severity, file, where.getLineNr(), where.getColumnNr(), message);
		}
		return new RunbookProblem(severity, file, 0, 0, message);
	}

}
