package com.elcanotek.victoria.runner.logs;

import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.SessionLog;
import com.elcanotek.victoria.runner.orchestrator.SessionMessage;
import com.elcanotek.victoria.runner.secrets.SecretMasker;

/**
 * A session log with the runner's secrets masked in every text field (a message's role, one of a few words, aside).
 * Applied to a fitted log: masking never makes a text longer, so the body still fits, and a content the fitter cut
 * (marked {@value LogFitter#TRUNCATED_MARK}) may begin with the end of a secret, which is masked too.
 */
public final class LogMasking {

    private LogMasking() {
    }

    public static LogSubmission mask(LogSubmission submission, SecretMasker masker) {
        SessionLog session = submission.session();
        if (session == null) {
            return submission;
        }
        return new LogSubmission(submission.taskId(), new SessionLog(masker.mask(session.id()),
                masker.mask(session.title()), session.promptTokens(), session.completionTokens(), session.cost(),
                session.createdAt(), session.updatedAt(),
                session.messages().stream().map(message -> new SessionMessage(masker.mask(message.id()), message.role(),
                        content(message.content(), masker), masker.mask(message.model()), masker.mask(message.provider()),
                        message.createdAt(), message.finishedAt())).toList()));
    }

    private static String content(String content, SecretMasker masker) {
        if (content != null && content.startsWith(LogFitter.TRUNCATED_MARK)) {
            return LogFitter.TRUNCATED_MARK + masker.maskCut(content.substring(LogFitter.TRUNCATED_MARK.length()));
        }
        return masker.mask(content);
    }
}
