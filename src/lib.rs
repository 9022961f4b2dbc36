pub mod diagnostic;
pub mod load;
pub mod model;
pub mod path;
pub mod schema;
pub mod suggest;
