package dev.backout.incident;

/**
 * One answered question of the decision tree, as recorded on the incident.
 */
public record Answer(String question, String ask, String answer) {
}
