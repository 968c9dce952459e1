package dev.backout.runbook;

import java.util.List;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;

/**
 * A unified line diff between two versions of a runbook's file, computed by java-diff-utils.
 */
public record RunbookDiff(RunbookVersion from, RunbookVersion to, List<Line> lines) {

	public enum Kind {

		HEADER, HUNK, ADDED, REMOVED, CONTEXT

	}

	public record Line(Kind kind, String text) {
	}

	static RunbookDiff between(RunbookVersion from, String fromSource, RunbookVersion to, String toSource) {
		List<String> original = fromSource.lines().toList();
		List<String> revised = toSource.lines().toList();
		Patch<String> patch = DiffUtils.diff(original, revised);
		List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(from.shortHash(), to.shortHash(), original, patch, 3);
		return new RunbookDiff(from, to, unified.stream().map(RunbookDiff::line).toList());
	}

	public boolean identical() {
		return this.lines.isEmpty();
	}

	private static Line line(String text) {
		if (text.startsWith("+++") || text.startsWith("---")) {
			return new Line(Kind.HEADER, text);
		}
		if (text.startsWith("@@")) {
			return new Line(Kind.HUNK, text);
		}
		if (text.startsWith("+")) {
			return new Line(Kind.ADDED, text);
		}
		return new Line(text.startsWith("-") ? Kind.REMOVED : Kind.CONTEXT, text);
	}

}
