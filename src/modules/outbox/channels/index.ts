import { dingtalkChannel } from './dingtalk.js'
import { emailChannel } from './email.js'
import { smsChannel } from './sms.js'
import type { Channel, ChannelKind } from './types.js'
import { wecomChannel } from './wecom.js'

export const channels: Record<ChannelKind, Channel> = {
  wecom: wecomChannel,
  dingtalk: dingtalkChannel,
  email: emailChannel,
  sms: smsChannel,
}
