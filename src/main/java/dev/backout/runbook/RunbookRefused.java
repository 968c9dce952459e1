package dev.backout.runbook;

/** A runbook the editor cannot save, and why, in words for its author. */
public class RunbookRefused extends RuntimeException {

	public RunbookRefused(String message) {
		super(message);
	}

}
