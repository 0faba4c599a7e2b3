export const locales = ['zh-CN', 'en'] as const
export type Locale = (typeof locales)[number]

/** Error messages by code. zh-CN is the default language of every screen and answer. */
const messages: Record<string, Record<Locale, string>> = {
  not_found: { 'zh-CN': '记录不存在', en: 'Record not found' },
  route_not_found: { 'zh-CN': '接口不存在', en: 'Route not found' },
  unauthorized: { 'zh-CN': '请先登录', en: 'Authentication required' },
  invalid_token: { 'zh-CN': '登录已失效，请重新登录', en: 'Session is invalid or has expired; please sign in again' },
  invalid_credentials: { 'zh-CN': '用户名或密码错误', en: 'Incorrect username or password' },
  too_many_attempts: { 'zh-CN': '尝试次数过多，请稍后再试', en: 'Too many attempts; please try again later' },
  login_throttled: { 'zh-CN': '登录尝试过于频繁，请 {seconds} 秒后再试', en: 'Too many sign-in attempts; try again in {seconds} s' },
  rate_limited: { 'zh-CN': '请求过于频繁，请稍后再试', en: 'Too many requests; please slow down' },
  insufficient_storage: { 'zh-CN': '服务器磁盘空间不足，暂时无法保存修改，请联系管理员清理磁盘（查看不受影响）', en: 'The server is low on disk space: changes cannot be saved until an administrator frees space (reading still works)' },
  release_too_soon: { 'zh-CN': '区级数据每周最多按需发布一次，{date} 起可再次发布', en: 'District figures can be released on demand at most once a week; the next release is allowed from {date}' },
  forbidden: { 'zh-CN': '无权执行此操作', en: 'You are not allowed to do this' },
  validation_failed: { 'zh-CN': '提交的数据有误', en: 'The request data is invalid' },
  // A message followed by the fields concerned, in words (plugins/errors.ts).
  invalid_fields: { 'zh-CN': '{message}：{fields}', en: '{message}: {fields}' },
  field_not_writable: { 'zh-CN': '无权修改字段：{fields}', en: 'Field(s) may not be written: {fields}' },
  field_not_readable: { 'zh-CN': '无权按字段筛选或排序：{fields}', en: 'Cannot filter or sort on field(s): {fields}' },
  conflict: { 'zh-CN': '数据冲突', en: 'Conflict' },
  duplicate: { 'zh-CN': '记录已存在：{what}', en: 'Already exists: {what}' },
  payload_too_large: { 'zh-CN': '提交的内容过大', en: 'Request body is too large' },
  unsupported_media_type: { 'zh-CN': '不支持的文件类型', en: 'Unsupported content type' },
  import_rejected: { 'zh-CN': '导入失败：{count} 行有误，未导入任何数据', en: 'Import rejected: {count} row(s) have errors; nothing was imported' },
  import_empty: { 'zh-CN': '文件中没有数据行', en: 'The file has no data rows' },
  import_bad_headers: { 'zh-CN': '缺少必需的表头：{headers}', en: 'Missing required column(s): {headers}' },
  wrong_password: { 'zh-CN': '当前密码不正确', en: 'Current password is incorrect' },
  weak_password: { 'zh-CN': '新密码至少 10 位，且需包含字母和数字', en: 'New password needs at least 10 characters with letters and digits' },
  password_unchanged: { 'zh-CN': '新密码不能与当前密码相同', en: 'The new password must differ from the current one' },
  password_change_required: { 'zh-CN': '请先修改密码：该密码由他人设置，修改之前不能使用其他功能', en: 'Change your password first: someone else set it, and nothing else works until you do' },
  cannot_reset_own_password: { 'zh-CN': '不能重置自己的密码，请使用“修改密码”', en: 'You cannot reset your own password; use Change password instead' },
  in_use: { 'zh-CN': '仍有关联数据，无法删除', en: 'Still referenced by other records; cannot delete' },
  class_ended: { 'zh-CN': '班级 {name} 已毕业结束，不能再分配', en: 'Class {name} has graduated and ended; nothing more can be assigned to it' },
  role_already_granted: { 'zh-CN': '该账号已有此角色：{role}', en: 'The account already holds this role: {role}' },
  letter_danger_flagged: { 'zh-CN': '该来信已标记为危险，不再重复开启危机事件', en: 'This letter is already flagged as a danger; no second crisis event is opened' },
  bad_request: { 'zh-CN': '请求有误', en: 'Bad request' },
  invalid_host: { 'zh-CN': '请求的 Host 头格式有误', en: 'The Host header is malformed' },
  uri_too_long: { 'zh-CN': '请求地址过长', en: 'The request URL is too long' },
  headers_too_large: { 'zh-CN': '请求头过大', en: 'The request headers are too large' },
  request_timeout: { 'zh-CN': '请求超时', en: 'The request took too long to arrive' },
  internal: { 'zh-CN': '服务器内部错误', en: 'Internal server error' },
  unavailable: { 'zh-CN': '服务暂不可用', en: 'Service unavailable' },
  database_unavailable: { 'zh-CN': '数据库暂时无法访问，请稍后重试', en: 'The database cannot be reached right now; please try again shortly' },
  shutting_down: { 'zh-CN': '服务正在重启或关闭，请稍后重试', en: 'The server is restarting or shutting down; please try again shortly' },
  // Roster.
  date_range_invalid: { 'zh-CN': '开始日期不能晚于结束日期', en: 'The start date must not be after the end date' },
  role_needs_class: { 'zh-CN': '该角色需要指定班级：{role}', en: 'This role needs a class: {role}' },
  role_takes_no_class: { 'zh-CN': '该角色不绑定班级：{role}', en: 'This role is not bound to a class: {role}' },
  cannot_disable_self: { 'zh-CN': '不能停用自己的账号', en: 'You cannot disable your own account' },
  cannot_remove_own_admin: { 'zh-CN': '不能撤销自己的学校管理员角色', en: 'You cannot revoke your own school admin role' },
  self_grant_forbidden: { 'zh-CN': '不能给自己授予可查看个案内容的角色（{role}），须由另一位管理员授予', en: 'You cannot grant yourself a role that reads case content ({role}); another admin must grant it' },
  import_unreadable: { 'zh-CN': '无法读取文件，请上传 UTF-8 编码的 CSV 或 .xlsx 文件', en: 'The file cannot be read; upload a UTF-8 CSV or an .xlsx file' },
  import_too_many_rows: { 'zh-CN': '文件行数过多（最多 {max} 行）', en: 'Too many rows (at most {max})' },
  // Spreadsheet limits: each message names the limit, so the sender knows what to split or clean up.
  import_too_many_columns: { 'zh-CN': '表头列数过多（最多 {max} 列），请删除表头右侧多余的列', en: 'Too many columns in the header row (at most {max}); delete the extra columns on the right' },
  import_too_many_cells: { 'zh-CN': '文件单元格过多（行数×列数最多 {max} 个），请拆分文件', en: 'Too many cells (rows × columns at most {max}); split the file' },
  import_archive_too_large: { 'zh-CN': '.xlsx 文件解压后过大（最多 {max} MB）', en: 'The .xlsx file is too large when unzipped (at most {max} MB)' },
  import_archive_bomb: { 'zh-CN': '.xlsx 文件解压后膨胀异常（压缩比超过 {max}:1 或大小与声明不符），已拒绝', en: 'The .xlsx file expands abnormally when unzipped (more than {max}:1, or not as declared); refused' },
  import_too_complex: { 'zh-CN': '文件读取超出资源限制（内存 {mb} MB 或 {seconds} 秒），请拆分或另存为 CSV', en: 'Reading the file exceeded its budget ({mb} MB of memory or {seconds} s); split it or save it as CSV' },
  // Row reasons in import_rejected details: never the cell's content, only what is wrong with it.
  import_required: { 'zh-CN': '必填', en: 'Required' },
  import_too_long: { 'zh-CN': '超过 {max} 个字符', en: 'Longer than {max} characters' },
  import_bad_student_no: { 'zh-CN': '学号只能包含字母、数字、“-”和“_”', en: 'Student number may contain only letters, digits, - and _' },
  import_number_precision: { 'zh-CN': '学号过长被表格转成了数字，请将该列设为文本格式', en: 'The student number was stored as a number and lost digits; format the column as text' },
  import_duplicate_in_file: { 'zh-CN': '与第 {row} 行学号重复', en: 'Same student number as row {row}' },
  import_bad_gender: { 'zh-CN': '性别应为“男”或“女”', en: 'Gender must be 男 or 女' },
  import_bad_date: { 'zh-CN': '日期格式应为 YYYY-MM-DD 或 YYYY/M/D', en: 'Date must be YYYY-MM-DD, YYYY/M/D or an Excel date' },
  import_date_out_of_range: { 'zh-CN': '日期不在合理范围内', en: 'Date is out of range' },
  import_bad_grade: { 'zh-CN': '无法识别的年级（如 七年级、初一、7、高一）', en: 'Unrecognised grade (e.g. 七年级, 初一, 7, 高一)' },
  import_bad_class: { 'zh-CN': '无法识别的班级（如 1班、(1)班、七年级(1)班）', en: 'Unrecognised class (e.g. 1班, (1)班, 七年级(1)班)' },
  import_class_grade_mismatch: { 'zh-CN': '班级中的年级与“年级”列不一致', en: 'The grade in the class does not match the grade column' },
  import_bad_phone: { 'zh-CN': '电话号码格式不正确', en: 'Invalid phone number' },
  import_phone_without_guardian: { 'zh-CN': '填写了联系电话但缺少监护人姓名', en: 'A phone number is given without a guardian name' },
  import_bad_status: { 'zh-CN': '状态应为 在读、离校 或 毕业', en: 'Status must be 在读, 离校 or 毕业' },
  // Support: 师生结对, 同伴跟防, 家校协同, 及时转介.
  mentor_not_teacher: { 'zh-CN': '结对教师须为本校在职教师', en: 'The mentor must be an active teacher of this school' },
  pairing_exists: { 'zh-CN': '该学生已有进行中的结对', en: 'The student already has an active pairing' },
  pairing_ended: { 'zh-CN': '该结对已结束', en: 'The pairing has ended' },
  date_in_future: { 'zh-CN': '日期不能晚于今天', en: 'The date cannot be in the future' },
  invalid_transition: { 'zh-CN': '当前状态（{state}）下不能执行此操作', en: 'Not allowed in the current state ({state})' },
  monitor_not_in_class: { 'zh-CN': '该心理委员不在此学生的班级', en: 'The monitor is not in this student’s class' },
  watch_request_ended: { 'zh-CN': '该关注请求已结束', en: 'The watch request has ended' },
  not_told_reason_required: { 'zh-CN': '未告知家长时必须填写原因', en: 'A reason is required when parents were not told' },
  channel_required: { 'zh-CN': '请选择沟通方式', en: 'Choose how the parents were contacted' },
  unknown_reference: { 'zh-CN': '关联记录不存在或不属于该学生：{field}', en: 'Referenced record not found or not this student’s: {field}' },
  class_required: { 'zh-CN': '请选择班级', en: 'A class is required' },
  consent_not_given: { 'zh-CN': '需要一条记录家长同意转介的沟通记录', en: 'A parent contact recording consent to the referral is required' },
  referral_locked: { 'zh-CN': '转介单已发出，不能再修改此项', en: 'The referral has been sent; this can no longer be changed' },
  referral_reassessment_required: { 'zh-CN': '转介学生须完成复学评估后才能降低风险等级', en: 'A referred student’s risk level can be lowered only after the return-to-school assessment' },
  student_not_in_class: { 'zh-CN': '该学生不在本班', en: 'This student is not in the class' },
  student_no_not_in_class: { 'zh-CN': '学号 {studentNo} 不在本班', en: 'Student number {studentNo} is not in this class' },
  classmate_name_not_found: { 'zh-CN': '本班没有叫这个名字的在读同学，请核对姓名或改填学号', en: 'No classmate in this class has that name; check it or give the student number' },
  classmate_ambiguous: { 'zh-CN': '班里有同名同学，请填写学号', en: 'More than one classmate has this name; give the student number' },
  too_many_names: { 'zh-CN': '一次最多提名 10 位同学', en: 'Name at most 10 classmates at a time' },
  consent_required: { 'zh-CN': '家长同意转介后才能打印转介单', en: 'The referral form can be printed once the parents have consented' },
  // 三个必谈.
  talk_date_in_future: { 'zh-CN': '谈话日期不能晚于今天', en: 'The talk date cannot be in the future' },
  talk_rule_duplicate_kind: { 'zh-CN': '同一类必谈规则只能设置一次', en: 'Each kind of talk rule may be given once' },
  talk_rule_within_days_holiday_only: { 'zh-CN': '只有节假日返校必谈可以设置天数', en: 'Only the holiday-return rule takes a number of school days' },
  // 测评建档 · 积极干预.
  instrument_invalid: { 'zh-CN': '测评工具定义有误（{count} 处）', en: 'The instrument definition has {count} problem(s)' },
  instrument_unknown: { 'zh-CN': '测评工具不存在', en: 'Unknown instrument' },
  instrument_rewording_only: {
    'zh-CN': '{code} 是内置测评工具：本校只能替换其文字（题目、选项、说明），题目、选项值、计分与安全规则须保持不变；如需改动请使用新的代码',
    en: '{code} is a built-in instrument: the school may replace its wording only (items, options, instructions); its items, option values, scoring and safety rules stay as they are — use a new code for anything else',
  },
  instrument_prefix_clash: { 'zh-CN': '测评工具 {a} 与 {b} 的导入列前缀 {prefix} 重复，不能放在同一次测评中', en: 'Instruments {a} and {b} share the import column prefix {prefix} and cannot be in one campaign' },
  instrument_not_in_campaign: { 'zh-CN': '该测评工具不属于本次测评', en: 'The instrument is not part of this campaign' },
  campaign_has_responses: { 'zh-CN': '已有测评结果，不能再更换测评工具', en: 'The campaign has responses; its instruments can no longer change' },
  campaign_closed: { 'zh-CN': '测评活动已结束，不能再录入', en: 'The campaign is closed' },
  student_not_in_campaign: { 'zh-CN': '该学生所在年级不在本次测评范围内', en: 'The student’s grade is not part of this campaign' },
  screened_on_out_of_window: { 'zh-CN': '测评日期不在测评窗口内或晚于今天', en: 'The screening date is outside the campaign window or in the future' },
  // Per-answer problems in the details of answers_invalid.
  answer_count: { 'zh-CN': '作答的题数与量表的题目数不一致', en: 'The number of answers does not match the instrument’s items' },
  answer_invalid: { 'zh-CN': '该题的作答不是可选的值', en: 'This answer is not one of the item’s options' },
  answer_not_asked: { 'zh-CN': '该题只在前面的题目回答“是”时才询问，此处应为“否”或留空', en: 'This follow-up is asked only after a yes to an earlier item; here it must be no or left empty' },
  answers_invalid: { 'zh-CN': '作答不符合测评工具的题目或选项', en: 'The answers do not fit the instrument’s items or options' },
  consent_refused: {
    'zh-CN': '学号 {studentNo} 的学生：监护人不同意参加本次测评（知情同意），不能录入结果；确需录入请填写理由',
    en: 'Student {studentNo}: the guardian refused consent to this screening, so the answers are not taken; give a reason to take them anyway',
  },
  consent_not_returned: {
    'zh-CN': '学号 {studentNo} 的学生：尚未收回监护人的知情同意书，不能录入结果；确需录入请填写理由',
    en: 'Student {studentNo}: the guardian’s consent slip has not come back, so the answers are not taken; give a reason to take them anyway',
  },
  assent_refused: {
    'zh-CN': '学号 {studentNo} 的学生本人不同意参加本次测评，不能录入结果；确需录入请填写理由',
    en: 'Student {studentNo} declined this screening, so the answers are not taken; give a reason to take them anyway',
  },
  risk_change_needs_reason: { 'zh-CN': '调整风险等级必须填写原因', en: 'A change of risk level needs a reason' },
  reason_without_risk_change: { 'zh-CN': '只有调整风险等级时才填写原因', en: 'A reason is given only with a change of risk level' },
  care_already_removed: { 'zh-CN': '该学生已移出关注名单', en: 'The entry has already been taken off the care list' },
  case_transition_not_allowed: { 'zh-CN': '个案不能从“{from}”变更为“{to}”', en: 'A case cannot go from {from} to {to}' },
  safety_plan_exists: { 'zh-CN': '该个案已有一份生效的安全计划：请修改它（保存为新版本），或先停用再新建', en: 'This case already has an active safety plan: edit it (saved as a new version), or end it before creating another' },
  safety_plan_ended: { 'zh-CN': '该安全计划已停用，不能再修改', en: 'This safety plan has ended and can no longer be changed' },
  case_closed: { 'zh-CN': '个案已结案，请先重新开案', en: 'The case is closed; reopen it first' },
  crisis_not_open: { 'zh-CN': '该危机事件已确认接收', en: 'The crisis event has already been acknowledged' },
  crisis_not_acknowledged: { 'zh-CN': '请先确认接收该危机事件', en: 'Acknowledge the crisis event first' },
  crisis_resolved: { 'zh-CN': '该危机事件已处置完成', en: 'The crisis event is resolved' },
  crisis_checklist_incomplete: { 'zh-CN': '处置清单还有 {count} 项未完成', en: '{count} checklist step(s) are not done yet' },
  crisis_safety_incomplete: { 'zh-CN': '处置完成前还需：{missing_zh}', en: 'Before the crisis event can be resolved it still needs: {missing_en}' },
  safety_assessment_exists: { 'zh-CN': '该危机事件已完成简要自杀安全评估，每个危机事件只评估一次', en: 'This crisis event already has its brief suicide safety assessment; it is recorded once per crisis event' },
  safety_assessment_missing: { 'zh-CN': '该危机事件尚未进行简要自杀安全评估', en: 'No brief suicide safety assessment has been recorded for this crisis event' },
  assessment_item_unknown: { 'zh-CN': '评估表中没有这一项：{item_zh}', en: 'The assessment form has no item {item_en}' },
  assessment_item_required: { 'zh-CN': '请回答评估项“{item_zh}”', en: 'Answer the assessment item “{item_en}”' },
  assessment_item_not_yes_no: { 'zh-CN': '评估项“{item_zh}”应回答“是”或“否”', en: 'The assessment item “{item_en}” takes yes or no' },
  assessment_item_not_option: { 'zh-CN': '评估项“{item_zh}”的回答不是可选项', en: 'The answer to “{item_en}” is not one of its options' },
  assessment_item_not_text: { 'zh-CN': '评估项“{item_zh}”应填写文字', en: 'The assessment item “{item_en}” takes text' },
  assessment_item_too_long: { 'zh-CN': '评估项“{item_zh}”的内容太长', en: 'The answer to “{item_en}” is too long' },
  emergency_needs_referral: { 'zh-CN': '紧急转介须选择接收机构并填写转介原因', en: 'An emergency disposition needs the receiving institution and the reason for the urgent referral' },
  referral_only_for_emergency: { 'zh-CN': '只有紧急转介需要填写转介信息', en: 'Referral details go with an emergency disposition only' },
  follow_up_required: { 'zh-CN': '安全计划须填写随访日期', en: 'A safety plan needs a follow-up date' },
  follow_up_only_for_safety_plan: { 'zh-CN': '只有安全计划需要填写随访日期', en: 'A follow-up date goes with a safety plan only' },
  no_action_needs_reason: { 'zh-CN': '选择“暂无需进一步处理”时须说明理由', en: '“No further action now” needs a reason' },
  date_in_past: { 'zh-CN': '日期不能早于今天', en: 'The date cannot be in the past' },
  not_told_only_guardian: { 'zh-CN': '只有监护人可以记录为“未告知”（须写明原因）', en: 'Only a guardian can be recorded as not told (with the reason)' },
  disclosure_channel_required: { 'zh-CN': '请选择告知方式', en: 'Choose how they were told' },
  import_instrument_ambiguous: { 'zh-CN': '“第N题”列无法确定测评工具，请指定 instrument 参数', en: '第N题 columns need the instrument parameter when the campaign has several instruments' },
  import_unknown_columns: { 'zh-CN': '无法识别的题目列：{headers}', en: 'Unrecognised item column(s): {headers}' },
  import_no_item_columns: { 'zh-CN': '文件中没有题目列（如 PHQ1…PHQ9、GAD1…GAD7 或 第1题…）', en: 'The file has no item columns (e.g. PHQ1…PHQ9, GAD1…GAD7 or 第1题…)' },
  import_student_unknown: { 'zh-CN': '本校没有该学号的学生', en: 'No student of the school has this number' },
  import_student_not_enrolled: { 'zh-CN': '该学生不在读', en: 'The student is not enrolled' },
  import_student_not_in_campaign: { 'zh-CN': '该学生所在年级不在本次测评范围内', en: 'The student’s grade is not part of this campaign' },
  import_name_mismatch: { 'zh-CN': '姓名与学号不一致', en: 'The name does not match the student number' },
  import_bad_answer: { 'zh-CN': '作答应为 {values} 之一', en: 'The answer must be one of {values}' },
  import_no_answers: { 'zh-CN': '该行没有任何作答', en: 'The row has no answers' },
  import_screened_on_out_of_window: { 'zh-CN': '测评日期不在测评窗口内或晚于今天', en: 'The date is outside the campaign window or in the future' },
  import_consent_refused: { 'zh-CN': '监护人不同意该学生参加本次测评（知情同意），该行未导入', en: 'The guardian refused consent to this screening; the row is not imported' },
  import_consent_not_returned: { 'zh-CN': '尚未收回该学生监护人的知情同意书，该行未导入', en: 'The guardian’s consent slip has not come back; the row is not imported' },
  import_assent_refused: { 'zh-CN': '该学生本人不同意参加本次测评，该行未导入', en: 'The student declined this screening; the row is not imported' },
  import_in_progress: { 'zh-CN': '本次测评已有导入正在进行', en: 'An import into this campaign is already running' },
  // Practices from the inspection reports: 解忧树洞, staff profiles.
  letterbox_closed: { 'zh-CN': '信箱暂时关闭，请稍后再来', en: 'The letter box is closed for now; please come back later' },
  public_base_url_missing: {
    'zh-CN': '未设置 PUBLIC_BASE_URL：请在服务器配置中填写学生访问心安的地址（如 https://xinan.example.edu.cn）后再生成二维码海报',
    en: 'PUBLIC_BASE_URL is not set: set it in the server configuration to the address students use to reach XinAn (e.g. https://xinan.example.edu.cn), then print the QR poster',
  },
  // 升年级.
  rollover_done: { 'zh-CN': '{year} 学年已经升过年级，不能重复执行', en: 'The school year {year} has already been rolled over; it cannot be done twice' },
  rollover_nothing: { 'zh-CN': '本校还没有班级，没有可升年级的内容', en: 'The school has no classes yet: there is nothing to roll over' },
  rollover_not_entry_grade: { 'zh-CN': '新建班级数只能为起始年级填写：{grade}不是起始年级（本校起始年级：{grades}）', en: 'New classes can be given only for an entry grade: {grade} is not one (this school’s entry grades: {grades})' },
  rollover_undone: { 'zh-CN': '这次升年级已经撤销', en: 'This rollover has already been undone' },
  rollover_not_latest: { 'zh-CN': '只能撤销最近一次升年级', en: 'Only the latest rollover can be undone' },
  rollover_locked: { 'zh-CN': '新学年已开始写入记录（{date}），不能再撤销升年级；如有班级需要调整，请在学校设置中逐个修改', en: 'The new school year already has records (since {date}), so the rollover can no longer be undone; adjust individual classes in the school settings instead' },
  staff_needs_who: { 'zh-CN': '请关联教师账号或填写姓名', en: 'Link a staff account or give a name' },
  // 通知渠道.
  field_not_for_channel: { 'zh-CN': '这种通知渠道没有此项', en: 'This kind of channel has no such setting' },
  channel_incomplete: { 'zh-CN': '开启前请先填写', en: 'Fill this in before switching it on' },
  escalation_recipient_not_staff: { 'zh-CN': '上报链只能指定本校在职的教职工', en: 'A chain can only name active staff of this school' },
  on_call_not_staff: { 'zh-CN': '值班老师须是本校在职的教职工', en: 'The teacher on call must be active staff of this school' },
  on_call_range_invalid: { 'zh-CN': '值班结束时间须晚于开始时间', en: 'A shift must end after it starts' },
}

/** The message of a code in one language, or undefined when the catalogue has none. */
export function messageOf(code: string, locale: Locale): string | undefined {
  return messages[code]?.[locale]
}

export function pickLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'zh-CN'
  for (const part of acceptLanguage.split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase()
    if (tag.startsWith('zh')) return 'zh-CN'
    if (tag.startsWith('en')) return 'en'
  }
  return 'zh-CN'
}

export function translate(code: string, locale: Locale, params: Record<string, string | number> = {}): string {
  const entry = messages[code]
  const template = entry ? entry[locale] : messages.bad_request![locale]
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''))
}
