//! The `two-way-connector` world of `heraut:plugin@0.2.0`: a connector that publishes, reads
//! activity, answers, counts and searches. Implement the SDK's [`Publishing`], [`Inbound`],
//! [`Replying`], [`Metrics`] and [`Searching`] and call [`export_two_way_connector!`].
//!
//! This is a crate of its own because the `connector` world's bindings in the SDK export the
//! same `publishing` interface, and the export macro wit-bindgen makes for it may exist once per
//! crate. The records and the host interface are the SDK's.
//!
//! [`Publishing`]: heraut_plugin_sdk::Publishing
//! [`Inbound`]: heraut_plugin_sdk::Inbound
//! [`Replying`]: heraut_plugin_sdk::Replying
//! [`Metrics`]: heraut_plugin_sdk::Metrics
//! [`Searching`]: heraut_plugin_sdk::Searching

pub use heraut_plugin_sdk as sdk;

#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "two-way-connector",
        path: "../../wit/0.2",
        pub_export_macro: true,
        export_macro_name: "__export_two_way_connector_world",
        default_bindings_module: "heraut_plugin_sdk_two_way::bindings",
        with: {
            "heraut:plugin/types@0.2.0": heraut_plugin_sdk::bindings::heraut::plugin::types,
            "heraut:plugin/host@0.2.0": heraut_plugin_sdk::bindings::heraut::plugin::host,
        },
    });
}

/// Exports a connector with every capability as the component's `two-way-connector` world.
#[macro_export]
macro_rules! export_two_way_connector {
    ($connector:ty) => {
        const _: () = {
            struct __HerautExport;
            $crate::sdk::__publishing_guest!($connector, $crate::bindings);
            use $crate::bindings::exports::heraut::plugin as __x;
            use $crate::sdk as __sdk;
            use ::std::option::Option;
            use ::std::result::Result;
            use ::std::string::String;
            use ::std::vec::Vec;
            impl __x::inbound::Guest for __HerautExport {
                fn fetch_activity(
                    account: __sdk::AccountRef,
                    cursor: Option<String>,
                ) -> Result<__sdk::ActivityPage, __sdk::CallError> {
                    <$connector as __sdk::Inbound>::fetch_activity(account, cursor)
                }
                fn fetch_thread(
                    account: __sdk::AccountRef,
                    remote_id: String,
                ) -> Result<Vec<__sdk::Activity>, __sdk::CallError> {
                    <$connector as __sdk::Inbound>::fetch_thread(account, remote_id)
                }
            }
            impl __x::replying::Guest for __HerautExport {
                fn reply(
                    account: __sdk::AccountRef,
                    to_remote_id: String,
                    post: __sdk::OutgoingPost,
                ) -> Result<__sdk::Receipt, __sdk::CallError> {
                    <$connector as __sdk::Replying>::reply(account, to_remote_id, post)
                }
                fn reshare(
                    account: __sdk::AccountRef,
                    remote_id: String,
                ) -> Result<__sdk::Receipt, __sdk::CallError> {
                    <$connector as __sdk::Replying>::reshare(account, remote_id)
                }
            }
            impl __x::metrics::Guest for __HerautExport {
                fn fetch_metrics(
                    account: __sdk::AccountRef,
                    remote_ids: Vec<String>,
                ) -> Result<Vec<__sdk::Counters>, __sdk::CallError> {
                    <$connector as __sdk::Metrics>::fetch_metrics(account, remote_ids)
                }
            }
            impl __x::searching::Guest for __HerautExport {
                fn search(
                    account: __sdk::AccountRef,
                    query: String,
                    cursor: Option<String>,
                ) -> Result<__sdk::ActivityPage, __sdk::CallError> {
                    <$connector as __sdk::Searching>::search(account, query, cursor)
                }
            }
            $crate::bindings::__export_two_way_connector_world!(__HerautExport with_types_in $crate::bindings);
        };
    };
}
