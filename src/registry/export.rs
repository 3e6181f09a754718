//! Exports for the wider ecosystem: the Open Badges 3.0 form of an award.

use super::Registry;
use crate::error::Error;

impl Registry {
    /// Award `id` as an Open Badges 3.0 `OpenBadgeCredential`: the logged credential with its
    /// proof wrapped in an array (see [`crate::statement::openbadge`]), pretty-printed JSON.
    pub fn open_badge(&self, id: &str) -> Result<Vec<u8>, Error> {
        let award = self.award(id)?;
        let signed = self.entry(award.index)?.statement;
        let value = crate::statement::openbadge::export(&signed).map_err(|e| {
            Error::input(
                format!(
                    "award {} cannot be exported as an Open Badge: {e}",
                    award.id
                ),
                "export it with --format vc instead",
            )
        })?;
        let mut out =
            serde_json::to_vec_pretty(&value).map_err(|e| Error::internal(e.to_string()))?;
        out.push(b'\n');
        Ok(out)
    }
}
