package dev.backout.execution;

public enum StepState {

	STARTED, SUCCEEDED, FAILED, UNKNOWN, SKIPPED

}
