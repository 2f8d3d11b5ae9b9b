import Fluent
import Vapor

extension Application {
    /// Every migration, in the order it was written. Append only: never edit or reorder one
    /// that has shipped; add `AddYToX` instead.
    func registerMigrations() {
        migrations.add(CreateContracts())
        migrations.add(CreateInvoices())
        migrations.add(CreateJobs())
        migrations.add(CreateSandboxMessages())
        migrations.add(CreateVerificationCodes())
        migrations.add(CreateConversations())
        migrations.add(CreateConsentRecords())
        migrations.add(CreateEnrollments())
        migrations.add(CreateWhatsAppRecords())
        migrations.add(CreateWhatsAppOutbox())
        migrations.add(CreatePlatformSecrets())
        migrations.add(CreateDeliveries())
        migrations.add(CreatePaperBills())
        migrations.add(AddPaymentToInvoices())
        migrations.add(CreatePayments())
        migrations.add(CreateSandboxTransactions())
        migrations.add(AddOutboxLane())
        migrations.add(CreateStaff())
        migrations.add(CreateCases())
        migrations.add(CreateDamageReports())
        migrations.add(CreateTransparencyReports())
        migrations.add(CreateTurns())
        migrations.add(CreateLiveChats())
        migrations.add(CreateSurveys())
        migrations.add(AddDayIndexToTurns())
        migrations.add(CreateDataRequests())
        migrations.add(CreateRateLimits())
        migrations.add(CreateHealthChecks())
        migrations.add(AddPhoneKeyToDataRequests())
        migrations.add(AddTurnWindowToConversations())
        migrations.add(CreateSMSOutbox())
        migrations.add(AddOutboxRecoveryIndexes())
        migrations.add(AddLastMessageToConversations())
        migrations.add(AddDeliveriesOutboxIndex())
        migrations.add(DropSendLeaseFromSenders())
        migrations.add(AddRequesterToVerificationCodes())
        migrations.add(CreatePaymentItems())
        migrations.add(CreateCasePendingFiles())
        migrations.add(CreatePaymentCoupons())
    }
}
