package dev.backout.runbook;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** Writes an imported draft: its to-dos as comments at the top, then the runbook, SQL as literal blocks. */
final class DraftYaml {

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(YAMLWriteFeature.MINIMIZE_QUOTES)
		.enable(YAMLWriteFeature.LITERAL_BLOCK_STYLE)
		.enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
		.disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
		.build();

	private DraftYaml() {
	}

	static String write(String from, Map<String, Object> runbook, List<String> todos) {
		StringBuilder yaml = new StringBuilder("# Draft imported from " + from + ". To do before use:\n");
		todos.forEach((todo) -> yaml.append("# - ").append(todo.replace("\n", " ")).append('\n'));
		return yaml.append(YAML.writeValueAsString(runbook)).toString();
	}

	/** A map that keeps the order it is written in, as people read YAML. */
	static Map<String, Object> ordered(Object... keysAndValues) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			map.put((String) keysAndValues[i], keysAndValues[i + 1]);
		}
		return map;
	}

}
