//! Who issues the platform's documents, as every receipt, permit card and verification page
//! names them.

/// The authority that issues receipts and permits (《深圳经济特区居住证条例》 Art. 4: the public
/// security organs manage residence registration and residence permits).
pub const ISSUING_AUTHORITY: &str = "深圳市公安局";

/// The platform, as documents and pages name it.
pub const PLATFORM: &str = "深圳经济特区居住登记和居住证服务平台";
