//! A plan carried to edited data. The heights of the runs of columns before
//! tables are keyed by the table's data place (`pN:offset`, a byte offset in
//! the part's file), and an edit earlier in the file moves that offset: a
//! longer value, a corrected word. In `watch`, where each edit starts from
//! the last plan, such keys would name nothing, and every run after the edit
//! would be measured and balanced again (two more compositions for a KPI
//! value one digit longer). The keys move with the data instead: a part's
//! data places, in document order, are matched one to one when the part has
//! as many as before (a block added or taken away leaves the keys as they
//! are, and the runs are measured again).

use serde_json::Value;

use super::Plan;

impl Plan {
    /// Moves the keys of run heights from the data places of `old` (the
    /// layout data this plan was found on) to the places at the same
    /// positions in `new`, part by part.
    pub fn carry_places(&mut self, old: &Value, new: &Value) {
        let (Some(old), Some(new)) = (parts(old), parts(new)) else { return };
        for ((balance, old), new) in self.balanced.iter_mut().zip(old).zip(new) {
            let Some(balance) = balance.as_mut().filter(|b| !b.runs.is_empty()) else { continue };
            let (was, now) = (places(old), places(new));
            if was.len() != now.len() || was == now {
                continue;
            }
            let runs = std::mem::take(&mut balance.runs);
            balance.runs = runs
                .into_iter()
                .map(|(at, run)| (was.iter().position(|w| *w == at).map_or(at, |i| now[i].clone()), run))
                .collect();
        }
    }
}

/// The parts of layout data.
fn parts(json: &Value) -> Option<&Vec<Value>> {
    json.get("parts")?.as_array()
}

/// Every data place (`src`) in `part`, in document order.
fn places(part: &Value) -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(src)) = map.get("src") {
                    out.push(src.clone());
                }
                map.iter().filter(|(key, _)| *key != "src").for_each(|(_, v)| collect(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(part, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Balance, Plan, Run};

    #[test]
    fn run_heights_follow_their_tables_when_an_edit_moves_them() {
        let old = json!({"parts": [{"src": "p0:0", "blocks": [
            {"type": "paragraph", "src": "p0:10"}, {"type": "kpi", "src": "p0:40"}]}]});
        // A value two bytes longer before the table.
        let new = json!({"parts": [{"src": "p0:0", "blocks": [
            {"type": "paragraph", "src": "p0:10"}, {"type": "kpi", "src": "p0:42"}]}]});
        let mut plan = Plan::new(1);
        let run = Run { height: Some(180.0), tries: 1 };
        plan.balanced[0] = Some(Balance { last: Some(300.0), runs: [("p0:40".to_owned(), run)].into() });
        plan.carry_places(&old, &new);
        let balance = plan.balanced[0].as_ref().expect("balanced");
        assert_eq!(balance.runs.get("p0:42"), Some(&run));
        assert_eq!(balance.runs.len(), 1);
        assert_eq!(balance.last, Some(300.0));
        // A block added: the places no longer pair up; the keys stay.
        let added = json!({"parts": [{"src": "p0:0", "blocks": [{"src": "p0:5"},
            {"type": "paragraph", "src": "p0:10"}, {"type": "kpi", "src": "p0:50"}]}]});
        let mut plan = Plan::new(1);
        plan.balanced[0] = Some(Balance { last: None, runs: [("p0:40".to_owned(), run)].into() });
        plan.carry_places(&old, &added);
        assert!(plan.balanced[0].as_ref().expect("balanced").runs.contains_key("p0:40"));
    }
}
