//! The one map from roles to permissions; the core checks a permission for every use case.

use heraut_proto::tenants::Role;

/// Something a member may do in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the tenant and its settings.
    TenantRead,
    /// Change tenant settings (2FA requirement, time zone, grace period).
    TenantSettingsManage,
    /// See who is a member.
    MembersRead,
    /// Invite, change roles, remove members, reset their 2FA.
    MembersManage,
    /// Read and verify the audit log.
    AuditRead,
    /// Create and edit posts.
    PostsWrite,
    /// Approve or reject posts.
    PostsApprove,
    /// Publish without approval where policy allows, confirm overdue posts.
    PostsPublish,
    /// Connect and disconnect channels.
    ChannelsManage,
    /// Switch crisis mode.
    CrisisManage,
    /// Read analytics and reports.
    AnalyticsRead,
    /// Search and export the archive, legal holds.
    ArchiveManage,
}

/// What a role may do.
pub fn role_permissions(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Owner => &[
            TenantRead,
            TenantSettingsManage,
            MembersRead,
            MembersManage,
            AuditRead,
            PostsWrite,
            PostsApprove,
            PostsPublish,
            ChannelsManage,
            CrisisManage,
            AnalyticsRead,
        ],
        Role::Approver => &[
            TenantRead,
            MembersRead,
            PostsWrite,
            PostsApprove,
            PostsPublish,
            AnalyticsRead,
        ],
        Role::Editor => &[TenantRead, MembersRead, PostsWrite],
        Role::Analyst => &[TenantRead, AnalyticsRead],
        Role::RecordsOfficer => &[
            TenantRead,
            MembersRead,
            AuditRead,
            ArchiveManage,
            AnalyticsRead,
        ],
    }
}

/// True when `role` grants `permission`.
pub fn allows(role: Role, permission: Permission) -> bool {
    role_permissions(role).contains(&permission)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_its_tenant_and_only_owners_manage_members() {
        for role in Role::ALL {
            assert!(allows(role, Permission::TenantRead));
            assert_eq!(allows(role, Permission::MembersManage), role == Role::Owner);
        }
        assert!(allows(Role::RecordsOfficer, Permission::AuditRead));
        assert!(!allows(Role::Editor, Permission::AuditRead));
        assert!(!allows(Role::Editor, Permission::PostsApprove));
    }
}
