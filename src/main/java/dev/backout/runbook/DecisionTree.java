package dev.backout.runbook;

import java.util.List;
import java.util.Optional;

/**
 * Questions asked one at a time from {@code start}; each answer leads to the next question or
 * ends in an {@link Outcome}.
 */
public record DecisionTree(String start, List<Question> questions) {

	public DecisionTree {
		questions = (questions != null) ? List.copyOf(questions) : List.of();
	}

	public Optional<Question> question(String id) {
		return this.questions.stream().filter((q) -> q.id().equals(id)).findFirst();
	}

	/** The answer with this text, wherever it stands in the tree. */
	public Optional<Answer> answerNamed(String text) {
		return this.questions.stream().flatMap((q) -> q.answers().stream()).filter((a) -> a.answer().equals(text)).findFirst();
	}

	public record Question(String id, String ask, String help, List<Answer> answers) {

		public Question {
			answers = (answers != null) ? List.copyOf(answers) : List.of();
		}

	}

	/**
	 * @param next the next question's id, or null when this answer ends the decision
	 * @param steps for PARTIAL: the backup, execute and verify steps to keep
	 */
	public record Answer(String answer, String next, Outcome outcome, List<String> steps, String note) {

		public Answer {
			steps = (steps != null) ? List.copyOf(steps) : List.of();
		}

	}

}
