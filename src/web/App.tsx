import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react'
import { App as AntApp, ConfigProvider, Result, Spin, Button } from 'antd'
import zhCN from 'antd/locale/zh_CN'
import enUS from 'antd/locale/en_US'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import { BrowserRouter, Navigate, Route, Routes, useLocation, Link } from 'react-router'
import { I18nProvider, useI18n } from './i18n'
import { AuthProvider, useAuth } from './api/session'
import AppLayout from './layout/AppLayout'
import { menuFor } from './layout/menu'
import LoginPage from './pages/LoginPage'
import ChangePasswordPage from './pages/account/ChangePasswordPage'
import SecondFactorPage, { ForcedSecondFactorPage } from './pages/account/SecondFactorPage'
import StepUpDialog from './layout/StepUpDialog'

// Each role's screens load on demand: a monitor's phone never downloads the charts.
const PsychDashboard = lazy(() => import('./pages/psych/PsychDashboard'))
const StudentSearch = lazy(() => import('./pages/psych/StudentSearch'))
const StudentArchive = lazy(() => import('./pages/psych/StudentArchive'))
const CasePage = lazy(() => import('./pages/psych/CasePage'))
const CrisisEvents = lazy(() => import('./pages/psych/CrisisEvents'))
const Campaigns = lazy(() => import('./pages/psych/Campaigns'))
const CampaignPage = lazy(() => import('./pages/psych/CampaignPage'))
const CareListPage = lazy(() => import('./pages/psych/CareListPage'))
const PeerWatchPage = lazy(() => import('./pages/psych/PeerWatchPage'))
const HomeSchoolPage = lazy(() => import('./pages/psych/HomeSchoolPage'))
const NotifiedRecord = lazy(() => import('./pages/psych/NotifiedRecord'))
const ReferralPrint = lazy(() => import('./pages/psych/ReferralPrint'))
const SafetyPlanPrint = lazy(() => import('./pages/psych/SafetyPlanPrint'))
const ConsentLetterPrint = lazy(() => import('./pages/psych/ConsentLetterPrint'))
const MyClass = lazy(() => import('./pages/homeroom/MyClass'))
const MentorPage = lazy(() => import('./pages/mentor/MentorPage'))
const MonitorPage = lazy(() => import('./pages/monitor/MonitorPage'))
const DistrictDashboard = lazy(() => import('./pages/district/DistrictDashboard'))
const LettersPage = lazy(() => import('./pages/practices/LettersPage'))
const BarometerForm = lazy(() => import('./pages/practices/BarometerForm'))
const BarometerTrend = lazy(() => import('./pages/practices/BarometerTrend'))
const RoomPage = lazy(() => import('./pages/practices/RoomPage'))
const RoomSummaryPage = lazy(() => import('./pages/admin/RoomSummaryPage'))
const SelfCheckPage = lazy(() => import('./pages/self-check/SelfCheckPage'))
const TransfersPage = lazy(() => import('./pages/psych/TransfersPage'))
const LessonsPage = lazy(() => import('./pages/lessons/LessonsPage'))
const StaffProfiles = lazy(() => import('./pages/admin/StaffProfiles'))
const InspectionRecordsPage = lazy(() => import('./pages/inspection/InspectionRecordsPage'))
const EscalationSettingsPage = lazy(() => import('./pages/admin/EscalationSettingsPage'))
const BoxSettingsPage = lazy(() => import('./pages/admin/BoxSettingsPage'))
const ChannelsPage = lazy(() => import('./pages/admin/ChannelsPage'))
const AccountsPage = lazy(() => import('./pages/admin/AccountsPage'))
const SchoolSettingsPage = lazy(() => import('./pages/admin/SchoolSettingsPage'))
const RosterPage = lazy(() => import('./pages/admin/RosterPage'))
const RectificationPage = lazy(() => import('./pages/admin/RectificationPage'))
const CompliancePage = lazy(() => import('./pages/compliance/CompliancePage'))

function RequireLogin({ children }: { children: ReactNode }) {
  const { user } = useAuth()
  const location = useLocation()
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />
  return <>{children}</>
}

/** /students: the school admin's roster (add, import, mark left) or the psychology teacher's search with the archive. */
function Students() {
  const { roles } = useAuth()
  return roles.includes('school_admin') ? <RosterPage /> : <StudentSearch />
}

function Home() {
  const { roles } = useAuth()
  const first = menuFor(roles)[0]
  return first ? <Navigate to={first.path} replace /> : null
}

function NotFound() {
  const { t } = useI18n()
  return <Result status="404" title="404" subTitle={t('common.notFound')} extra={<Link to="/"><Button type="primary">{t('common.home')}</Button></Link>} />
}

/** Whether the person asked their system for less motion (an accessibility setting): dialogs and menus then open without animating. */
function usePrefersReducedMotion(): boolean {
  const query = '(prefers-reduced-motion: reduce)'
  const [reduce, setReduce] = useState(() => typeof window !== 'undefined' && window.matchMedia?.(query).matches === true)
  useEffect(() => {
    const m = window.matchMedia?.(query)
    if (!m) return
    const onChange = () => setReduce(m.matches)
    m.addEventListener('change', onChange)
    return () => m.removeEventListener('change', onChange)
  }, [])
  return reduce
}

function Localised({ children }: { children: ReactNode }) {
  const { locale } = useI18n()
  const reduceMotion = usePrefersReducedMotion()
  useEffect(() => { dayjs.locale(locale === 'en' ? 'en' : 'zh-cn') }, [locale])
  return (
    <ConfigProvider
      locale={locale === 'en' ? enUS : zhCN}
      theme={{ token: { colorPrimary: '#2f6f8f', borderRadius: 6, motion: !reduceMotion, fontFamily: "-apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif" } }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  )
}

const fallback = <div className="xa-loading"><Spin /></div>

export default function App() {
  return (
    <I18nProvider>
      <Localised>
        <BrowserRouter>
          <AuthProvider>
            <Suspense fallback={fallback}>
              <Routes>
                <Route path="/login" element={<LoginPage />} />
                <Route path="/change-password" element={<RequireLogin><ChangePasswordPage /></RequireLogin>} />
                <Route path="/second-factor-setup" element={<RequireLogin><ForcedSecondFactorPage /></RequireLogin>} />
                <Route path="/referrals/:id/print" element={<RequireLogin><ReferralPrint /></RequireLogin>} />
                <Route path="/safety-plans/:id/print" element={<RequireLogin><SafetyPlanPrint /></RequireLogin>} />
                <Route path="/campaigns/:id/consent-letters" element={<RequireLogin><ConsentLetterPrint /></RequireLogin>} />
                <Route element={<RequireLogin><AppLayout /></RequireLogin>}>
                  <Route index element={<Home />} />
                  <Route path="psych" element={<PsychDashboard />} />
                  <Route path="students" element={<Students />} />
                  <Route path="students/:id" element={<StudentArchive />} />
                  <Route path="cases/:id" element={<CasePage />} />
                  <Route path="crises" element={<CrisisEvents />} />
                  <Route path="campaigns" element={<Campaigns />} />
                  <Route path="campaigns/:id" element={<CampaignPage />} />
                  <Route path="care-list" element={<CareListPage />} />
                  <Route path="peer-watch" element={<PeerWatchPage />} />
                  <Route path="home-school" element={<HomeSchoolPage />} />
                  <Route path="alerts/:id" element={<NotifiedRecord kind="alert" />} />
                  <Route path="crises/:id" element={<NotifiedRecord kind="crisis" />} />
                  <Route path="my-class" element={<MyClass />} />
                  <Route path="mentor" element={<MentorPage />} />
                  <Route path="monitor" element={<MonitorPage />} />
                  <Route path="district" element={<DistrictDashboard />} />
                  <Route path="letters" element={<LettersPage />} />
                  <Route path="barometer" element={<BarometerForm />} />
                  <Route path="barometer-trend" element={<BarometerTrend />} />
                  <Route path="room" element={<RoomPage />} />
                  <Route path="room-summary" element={<RoomSummaryPage />} />
                  <Route path="rectification" element={<RectificationPage />} />
                  <Route path="self-check" element={<SelfCheckPage />} />
                  <Route path="transfers" element={<TransfersPage />} />
                  <Route path="lessons" element={<LessonsPage />} />
                  <Route path="staff" element={<StaffProfiles />} />
                  <Route path="inspection-records" element={<InspectionRecordsPage />} />
                  <Route path="escalation" element={<EscalationSettingsPage />} />
                  <Route path="box-settings" element={<BoxSettingsPage />} />
                  <Route path="notification-channels" element={<ChannelsPage />} />
                  <Route path="accounts" element={<AccountsPage />} />
                  <Route path="account-security" element={<SecondFactorPage />} />
                  <Route path="school-settings" element={<SchoolSettingsPage />} />
                  <Route path="compliance" element={<CompliancePage />} />
                  <Route path="*" element={<NotFound />} />
                </Route>
              </Routes>
            </Suspense>
            <StepUpDialog />
          </AuthProvider>
        </BrowserRouter>
      </Localised>
    </I18nProvider>
  )
}
