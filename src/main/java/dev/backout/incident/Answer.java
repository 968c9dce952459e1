package dev.backout.incident;

/**
 * One answered question of the decision tree, as recorded on the incident.
 *
 * @param fact the label of the question's fact, when it has one
 * @param factValue what the fact read when the question was answered
 * @param contradicted the fact says otherwise than this answer (flagged to commander and approvers)
 */
public record Answer(String question, String ask, String answer, String fact, String factValue, boolean contradicted) {

	public Answer(String question, String ask, String answer) {
		this(question, ask, answer, null, null, false);
	}

	Answer withFact(String label, String value, boolean contradicts) {
		return new Answer(this.question, this.ask, this.answer, label, value, contradicts);
	}

}
