//! What the operations answer: views of the stored records, each showing its audience what it
//! may see (personal numbers masked).

pub mod account;
pub mod house_link;
pub mod registration;
pub mod sub_account;
