package dev.backout.runbook;

/**
 * Something wrong with a runbook file, pinned to where it is.
 *
 * @param file where the runbook was loaded from
 * @param line 1-based line, or 0 when the problem concerns the whole file
 */
public record RunbookProblem(Severity severity, String file, int line, int column, String message) {

	public enum Severity {

		ERROR, WARNING

	}

	public boolean isError() {
		return this.severity == Severity.ERROR;
	}

	@Override
	public String toString() {
		return this.file + ((this.line > 0) ? ":" + this.line + ":" + this.column : "") + ": "
				+ this.severity.name().toLowerCase() + ": " + this.message;
	}

}
