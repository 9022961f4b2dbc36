//! The AWS Budgets budget.

use super::prelude::*;

/// CFX-022: Budget limit, thresholds and subscribers are valid.
pub static CFX_022: Builtin = Builtin {
    id: "CFX-022",
    stage: Stage::Consistency,
    title: "Budget limit, thresholds and subscribers are valid",
    severities: ERROR,
    why: "the budget is rejected by CloudFormation",
    fix: "Give the budget a positive monthly limit, alert thresholds in (0, 1000] percent, and subscribers that are email addresses or SNS topic ARNs.",
    example: Some(Example {
        fails: r#"
[budget]
monthly_limit_usd = 0
subscribers = ["finance"]
"#,
        passes: r#"
[budget]
monthly_limit_usd = 500
subscribers = ["finops@example.com", "arn:aws:sns:us-east-1:123456789012:budget"]
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_022];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    budget(pipeline, ctx, out);
}

// CFX-022
fn budget(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let Some(budget) = &pipeline.budget else {
        return;
    };
    if !(budget.monthly_limit_usd.is_finite() && budget.monthly_limit_usd > 0.0) {
        out.push(Finding::error(
            &CFX_022,
            p("budget.monthly_limit_usd"),
            "the monthly limit must be a positive amount of USD",
        ));
    }
    for (i, alert) in budget.alerts.iter().enumerate() {
        let t = alert.threshold_percent;
        if !(t.is_finite() && t > 0.0 && t <= 1000.0) {
            out.push(Finding::error(
                &CFX_022,
                p("budget.alerts").index(i).key("threshold_percent"),
                format!("threshold {t}% is outside AWS Budgets' range (0, 1000]"),
            ));
        }
    }
    for (i, subscriber) in budget.subscribers.iter().enumerate() {
        let email = subscriber.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !subscriber.contains(char::is_whitespace)
        });
        let sns = subscriber.starts_with("arn:aws:sns:");
        if !(email || sns) {
            out.push(
                Finding::error(
                    &CFX_022,
                    p("budget.subscribers").index(i),
                    format!("`{subscriber}` is neither an email address nor an SNS topic ARN"),
                )
                .with_help("AWS Budgets notifies email addresses and SNS topics"),
            );
        }
    }
}
