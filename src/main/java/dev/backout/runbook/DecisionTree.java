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

	/**
	 * @param fact a read-only query whose value the commander sees beside the question, so the
	 * answer rests on the database as it is, not on memory
	 */
	public record Question(String id, String ask, String help, Fact fact, List<Answer> answers) {

		public Question {
			answers = (answers != null) ? List.copyOf(answers) : List.of();
		}

		public Question(String id, String ask, String help, List<Answer> answers) {
			this(id, ask, help, null, answers);
		}

	}

	/**
	 * A fact behind a question: one read-only query, run as a check.
	 *
	 * @param label what the value is, in words ("OAuth users (no password)")
	 */
	public record Fact(String check, String label) {
	}

	/**
	 * @param next the next question's id, or null when this answer ends the decision
	 * @param steps for PARTIAL: the backup, execute and verify steps to keep
	 * @param expect the value of the question's fact that goes with this answer; an answer whose
	 * fact says otherwise is flagged to the commander and the approvers
	 */
	public record Answer(String answer, String next, Outcome outcome, List<String> steps, String note, Expectation expect) {

		public Answer {
			steps = (steps != null) ? List.copyOf(steps) : List.of();
		}

		public Answer(String answer, String next, Outcome outcome, List<String> steps, String note) {
			this(answer, next, outcome, steps, note, null);
		}

	}

}
