//! `gallery serve`: a static file server honouring single `Range` requests, with CORS.
