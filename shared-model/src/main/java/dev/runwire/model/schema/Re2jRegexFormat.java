package dev.runwire.model.schema;

import java.util.Optional;

import org.everit.json.schema.FormatValidator;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * {@code format: regex} on RE2, the engine patterns run on: the meta-schema check then refuses a pattern that could not
 * run (a backreference), instead of accepting it under java.util.regex.
 */
final class Re2jRegexFormat implements FormatValidator {

    @Override
    public Optional<String> validate(String subject) {
        if (subject.length() > SchemaLimits.MAX_PATTERN_CHARS) {
            return Optional.of("a regular expression longer than " + SchemaLimits.MAX_PATTERN_CHARS + " characters");
        }
        try {
            Pattern.compile(subject);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of("[" + subject + "] is not a regular expression RE2 can run (" + e.getDescription()
                    + "); backreferences and lookaround are not supported");
        }
    }

    @Override
    public String formatName() {
        return "regex";
    }
}
