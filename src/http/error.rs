//! The one error type at the HTTP edge: every failure becomes an RFC 9457 problem body
//! (`application/problem+json`) with the right status, naming the parameter at fault.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

/// An HTTP failure, rendered as a JSON problem body.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    /// The query or path parameter at fault, when there is one.
    pub parameter: Option<String>,
    /// The field of a request body at fault (a register edit's), when there is one.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: detail.into(),
            parameter: None,
            field: None,
        }
    }

    /// 422: a field of the request body is not acceptable.
    pub fn bad_field(field: impl Into<String>, detail: impl std::fmt::Display) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: detail.to_string(),
            parameter: None,
            field: Some(field.into()),
        }
    }

    /// 400: the caller sent a bad value for `parameter`.
    pub fn bad_parameter(parameter: impl Into<String>, detail: impl std::fmt::Display) -> ApiError {
        let parameter = parameter.into();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            detail: format!("parameter `{parameter}`: {detail}"),
            parameter: Some(parameter),
            field: None,
        }
    }

    /// 404: no such resource.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, detail)
    }

    /// 500: a failure of the service itself (never of the caller's input). Logged.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, detail.to_string())
    }
}

impl From<crate::features::ParamError> for ApiError {
    fn from(e: crate::features::ParamError) -> ApiError {
        ApiError::bad_parameter(e.parameter, e.reason)
    }
}

impl From<crate::features::FeatureError> for ApiError {
    fn from(e: crate::features::FeatureError) -> ApiError {
        use crate::features::FeatureError;
        match e {
            FeatureError::Parameter(p) => p.into(),
            FeatureError::NotFound(detail) => ApiError::not_found(detail),
            FeatureError::Internal(detail) => ApiError::internal(detail),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.detail)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let Some(p) = self.parameter {
            body["parameter"] = json!(p);
        }
        if let Some(f) = self.field {
            body["field"] = json!(f);
        }
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"zagore\""),
            );
        } else if self.status == StatusCode::TOO_MANY_REQUESTS {
            headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        }
        response
    }
}

/// `Path<T>` whose rejection is a 400 problem body.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

fn path_rejection(rejection: PathRejection) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        detail: rejection.body_text(),
        parameter: Some("path".to_string()),
        field: None,
    }
}

/// The answer for every route the service does not have.
pub async fn not_found_fallback(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no such resource: {}", uri.path()))
}
