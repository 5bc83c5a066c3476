// Package questionnaire is telesra's HIPAA Security Rule questionnaire: the question bank (data,
// embedded and schema-validated), the answers of one assessment (answers.yaml in the workspace),
// and the scoring of those answers. The screens that ask the questions live in
// questionnaire/tui; this package does no terminal I/O.
//
// # The bank
//
// [DefaultBank] (or [LoadBank]) returns the embedded bank: [Bank.Sections] in the order asked,
// each with its [Question]s. A question has a stable ID ("tech.mfa-remote"), plain-language
// Text and [Help] (why, what good looks like, an example), the HIPAA Citations it evidences
// (hipaa.Citation, whose Kind says standard / required / addressable), the Audience who
// should answer, its Options, an optional follow-up [Condition] (When), an Evidence prompt, the
// telehealth Practices it covers, and the threat-vulnerability [Pair]s a gap implies, each with
// a default NIST SP 800-30 likelihood and impact ([level.Level], level.VeryLow..VeryHigh).
//
// Screening questions (Kind [KindScreening], answered Yes/No) decide which control questions
// apply: a control question a screening answer rules out scores as not applicable. Questions of
// the NPRM readiness section (Profile [ProfileNPRM]) are asked only with --profile nprm and are
// scored apart, in [Scores.Readiness], never against the rule in force.
//
// # Answers
//
// [Answers] maps question IDs to an [Answer] (Status, Notes, Evidence, Flagged, Updated, and for
// carried-forward answers Reconfirm and Previous). [LoadAnswers] / [ParseAnswers] validate
// against templates/schemas/answers.schema.json and the bank, with file:line errors for typos,
// unknown question IDs, options a question does not offer, duplicate keys and truncated files.
// [SaveAnswers] and [FileStore] write through the workspace's atomic 0600 writer ([Files]), keep
// a backup, and refuse to replace a file with one holding fewer answers ([LossError]). A
// [FileStore] merges what another session wrote meanwhile, and refuses ([ChangedError]) only when
// both changed the same question or the file no longer validates.
//
// # Scoring, for reports and the risk register
//
//	b := questionnaire.DefaultBank()
//	a, err := questionnaire.LoadAnswers(files, path, b)
//	scores := questionnaire.Score(b, a) // per citation, per safeguard, per section, overall
//	gaps := questionnaire.Gaps(b, a)    // one Gap per partial / not implemented / don't-know answer
//
// [Score] (and [ScoreWith], given the answers the scan contradicts) rates each citation [ResultImplemented], [ResultPartial], [ResultGap],
// [ResultNotApplicable] or [ResultUnknown], gives each a [SpecStatus] (met, partly met, not met,
// decision recorded, unknown, contradicted, not applicable) counted per safeguard and overall
// ([Tally.Statuses]), and completeness ([Tally.Completeness]). [Answers.Decisions] are the
// decisions on Addressable specifications (45 CFR 164.306(d)(3)) that a status rests on. [Gaps] lists, in bank
// order, each answered control question whose status is Partial, NotImplemented or Unknown,
// with its question, section, citations, notes, evidence and Pairs (default likelihood and
// impact): the register turns each pair into a risk. Unanswered questions are not gaps; see
// [Unanswered]. [SampleAnswers] is the demo practice's answers (a small practice with gaps).
//
// Year over year: [CarryForward] marks last assessment's answers to re-confirm; [Changes] lists
// the re-confirmed ones whose status changed. [Export] and [Merge] hand a section to someone
// else and bring it back, reporting conflicts instead of overwriting.
package questionnaire
